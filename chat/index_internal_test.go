package chat

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIDIndex: after any sequence of the ways the transcript changes
// (appends in place, tail cuts that keep the array, cuts and replaces that
// copy it, a clear), the index finds every id where a scan finds it, and
// no id that is gone.
func TestIDIndex(t *testing.T) {
	msgs := func(from, to int) []Message {
		var out []Message
		for i := from; i < to; i++ {
			out = append(out, Message{ID: fmt.Sprintf("m%d", i)})
		}
		return out
	}
	type step struct {
		name string
		do   func(ms []Message, next *int) []Message
	}
	appendOne := step{"append", func(ms []Message, next *int) []Message {
		*next++
		return append(ms, Message{ID: fmt.Sprintf("m%d", *next)})
	}}
	steps := []step{
		appendOne, appendOne, appendOne,
		{"tail cut (clipped)", func(ms []Message, _ *int) []Message { return slices.Clip(ms[:len(ms)-3]) }},
		{"middle cut (new array)", func(ms []Message, _ *int) []Message {
			i := len(ms) / 2
			return append(slices.Clone(ms[:i]), ms[i+2:]...)
		}},
		{"replace (new array, same ids)", func(ms []Message, _ *int) []Message {
			out := slices.Clone(ms)
			out[len(out)/3].Content = "edited"
			return out
		}},
		{"first message cut", func(ms []Message, _ *int) []Message { return slices.Clone(ms[1:]) }},
		{"cleared and rebuilt", func(_ []Message, next *int) []Message {
			*next += 1000
			return msgs(*next-300, *next)
		}},
		{"shrunk under the scan threshold and grown again", func(ms []Message, next *int) []Message {
			ms = slices.Clip(ms[:10])
			for range 400 {
				*next++
				ms = append(ms, Message{ID: fmt.Sprintf("m%d", *next)})
			}
			return ms
		}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ms := msgs(0, 400)
	next := 400
	var x idIndex
	all := map[string]bool{}
	for _, m := range ms {
		all[m.ID] = true
	}
	for n := range 300 {
		st := steps[rng.IntN(len(steps))]
		ms = st.do(ms, &next)
		for _, m := range ms {
			all[m.ID] = true
		}
		where := map[string]int{}
		for i, m := range ms {
			where[m.ID] = i
		}
		for id := range all {
			want, ok := where[id]
			if !ok {
				want = -1
			}
			if got := x.find(ms, id); got != want {
				t.Fatalf("step %d (%s): find(%q) = %d, want %d", n, st.name, id, got, want)
			}
		}
	}
}
