package gocorpus_test

import (
	"strings"
	"testing"

	"github.com/sheenhq/sheen/internal/gocorpus"
)

func TestText(t *testing.T) {
	text, err := gocorpus.Text()
	if err != nil {
		t.Fatal(err)
	}
	// The corpus docs/tokens.md measures is about 900 KB and starts with the
	// spec.
	if n := len(text); n < 500_000 || n > 2_000_000 {
		t.Errorf("corpus is %d bytes, want about 900 KB", n)
	}
	for _, want := range []string{"The Go Programming Language Specification", "package http", "package runtime"} {
		if !strings.Contains(text, want) {
			t.Errorf("corpus lacks %q", want)
		}
	}
	again, _ := gocorpus.Text()
	if again != text {
		t.Error("a second read differs")
	}
}
