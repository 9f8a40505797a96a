package reactive

import (
	"testing"
	"unsafe"
)

// observer.effect relies on an Effect starting with its observer, and a
// Calc[int] is meant to fit the 128-byte size class (two cache lines), which
// the deep-chain benchmark (S1) is sensitive to.
func TestNodeLayout(t *testing.T) {
	if off := unsafe.Offsetof(Effect{}.obs); off != 0 {
		t.Fatalf("Effect.obs at offset %d, want 0", off)
	}
	if size := unsafe.Sizeof(Calc[int]{}); size > 128 {
		t.Errorf("Calc[int] is %d bytes, want at most 128", size)
	}
}
