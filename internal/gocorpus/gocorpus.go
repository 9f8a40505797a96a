// Package gocorpus reads the benchmark corpus of docs/tokens.md: about 900 KB
// of varied, non-repeating text from the Go distribution installed on the
// machine (the spec, the memory model and a few large source files), so that
// token benchmarks run on real text without shipping it.
package gocorpus

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Files are the corpus's files, relative to GOROOT, in the order they are
// concatenated.
var Files = []string{
	"doc/go_spec.html", "doc/go_mem.html", "doc/asm.html", "doc/godebug.md",
	"src/net/http/server.go", "src/net/http/transport.go", "src/net/http/request.go",
	"src/runtime/proc.go",
}

// Text returns the corpus: the Files concatenated. It is read once per
// process.
var Text = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("gocorpus: go env GOROOT: %v", err)
	}
	root := strings.TrimSpace(string(out))
	var b strings.Builder
	for _, name := range Files {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			return "", fmt.Errorf("gocorpus: %v", err)
		}
		b.Write(data)
	}
	return b.String(), nil
})
