package markdown

import "testing"

func TestFingerprint(t *testing.T) {
	a, b := New().Fingerprint(), New().Fingerprint()
	if a == "" || a != b {
		t.Fatalf("two renderers with the same rules: %q and %q", a, b)
	}
	if c := New(WithHighlighting(false)).Fingerprint(); c == a {
		t.Fatalf("a renderer that does not highlight has the same fingerprint %q", c)
	}
}
