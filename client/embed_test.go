package client

import (
	"io/fs"
	"regexp"
	"slices"
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

// The runtime never imports a component: the import graph from sheen.js
// reaches none of Components, and each component imports sheen.js.
func TestRuntimeImportsNoComponent(t *testing.T) {
	imp := regexp.MustCompile(`(?m)^\s*(?:import|export)\s[^;]*?from\s+"\./([^"]+)"|^\s*import\s+"\./([^"]+)"`)
	imports := func(name string) []string {
		src, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range imp.FindAllStringSubmatch(string(src), -1) {
			out = append(out, m[1]+m[2])
		}
		return out
	}
	reach := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		if reach[n] {
			return
		}
		reach[n] = true
		for _, d := range imports(n) {
			walk(d)
		}
	}
	walk("sheen.js")
	if len(reach) < 5 {
		t.Fatalf("sheen.js reaches only %v; is the pattern still right?", reach)
	}
	for _, c := range Components {
		if reach[c] {
			t.Errorf("the runtime (sheen.js) imports the component %s", c)
		}
		if !slices.Contains(imports(c), "sheen.js") {
			t.Errorf("%s does not import sheen.js (it registers its kind there)", c)
		}
	}
}
