package client

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func TestFS(t *testing.T) {
	names, err := fs.Glob(FS, "*")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
		if strings.HasSuffix(n, ".mjs") || strings.Contains(n, ".test.") {
			t.Errorf("%s: test files must not be embedded", n)
		}
	}
	for _, want := range []string{"sheen.js", "sheen.css", "protocol.js", "connection.js"} {
		if !have[want] {
			t.Errorf("%s is not embedded", want)
		}
	}
	// Every relative import of every module resolves to an embedded file.
	imp := regexp.MustCompile(`(?m)^\s*(?:import|export)\s[^;]*?from\s+"(\./[^"]+)"`)
	found := 0
	for _, n := range names {
		if !strings.HasSuffix(n, ".js") {
			continue
		}
		src, err := fs.ReadFile(FS, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range imp.FindAllStringSubmatch(string(src), -1) {
			found++
			if target := strings.TrimPrefix(m[1], "./"); !have[target] {
				t.Errorf("%s imports %s, which is not embedded", n, m[1])
			}
		}
	}
	if found < 5 {
		t.Errorf("found only %d relative imports; is the pattern still right?", found)
	}
}
