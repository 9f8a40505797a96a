package tokens

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestHistoryEdits(t *testing.T) {
	type op struct {
		kind    string // append, set, truncate
		m       Message
		i       int
		wantErr bool
	}
	tests := []struct {
		name      string
		ops       []op
		wantLen   int
		wantTotal int
		budget    Budget
		want      Window
		wantErr   error
	}{
		{name: "append",
			ops: []op{{kind: "append", m: sys(5)}, {kind: "append", m: usr(10)}, {kind: "append", m: ast(20)},
				{kind: "append", m: usr(3)}},
			wantLen: 4, wantTotal: 38,
			budget: Budget{Max: 30}, want: Window{Start: 2, Dropped: 1, Used: 28, Limit: 30}},
		{name: "set the newest message",
			ops: []op{{kind: "append", m: sys(5)}, {kind: "append", m: usr(10)}, {kind: "append", m: ast(0)},
				{kind: "set", i: 2, m: ast(20)}},
			wantLen: 3, wantTotal: 35,
			budget: Budget{Max: 34}, wantErr: ErrUserTooLarge},
		{name: "set an older message",
			ops: []op{{kind: "append", m: sys(5)}, {kind: "append", m: usr(10)}, {kind: "append", m: ast(20)},
				{kind: "set", i: 1, m: usr(1)}, {kind: "set", i: 0, m: sys(4)}},
			wantLen: 3, wantTotal: 25,
			budget: Budget{Max: 30}, want: Window{Used: 25, Limit: 30}},
		{name: "truncate to regenerate",
			ops: []op{{kind: "append", m: sys(5)}, {kind: "append", m: usr(10)}, {kind: "append", m: ast(20)},
				{kind: "append", m: usr(3)}, {kind: "append", m: sys(7)}, {kind: "truncate", i: 2}},
			wantLen: 2, wantTotal: 15,
			budget: Budget{Max: 30}, want: Window{Used: 15, Limit: 30}},
		{name: "truncate forgets the newest user message",
			ops: []op{{kind: "append", m: usr(10)}, {kind: "append", m: ast(5)}, {kind: "append", m: usr(100)},
				{kind: "truncate", i: 2}},
			wantLen: 2, wantTotal: 15,
			budget: Budget{Max: 20}, want: Window{Used: 15, Limit: 20}},
		{name: "clear and reuse",
			ops: []op{{kind: "append", m: sys(5)}, {kind: "append", m: usr(10)}, {kind: "truncate", i: 0},
				{kind: "truncate", i: 0}, {kind: "append", m: usr(7)}},
			wantLen: 1, wantTotal: 7,
			budget: Budget{Max: 30}, want: Window{Used: 7, Limit: 30}},
		{name: "bad input leaves the history unchanged",
			ops: []op{{kind: "append", m: usr(10)},
				{kind: "append", m: usr(-1), wantErr: true},
				{kind: "append", m: usr(math.MaxInt), wantErr: true},
				{kind: "set", i: 0, m: usr(-5), wantErr: true},
				{kind: "set", i: 1, m: usr(5), wantErr: true},
				{kind: "set", i: -1, m: usr(5), wantErr: true},
				{kind: "truncate", i: 2, wantErr: true},
				{kind: "truncate", i: -1, wantErr: true}},
			wantLen: 1, wantTotal: 10,
			budget: Budget{Max: 30}, want: Window{Used: 10, Limit: 30}},
		{name: "set may use the whole int range",
			ops:     []op{{kind: "append", m: usr(10)}, {kind: "set", i: 0, m: usr(math.MaxInt)}},
			wantLen: 1, wantTotal: math.MaxInt,
			budget: Budget{Max: math.MaxInt - 1, Reserve: 1}, wantErr: ErrUserTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h History
			for k, o := range tt.ops {
				var err error
				switch o.kind {
				case "append":
					err = h.Append(o.m)
				case "set":
					err = h.Set(o.i, o.m.Tokens)
				case "truncate":
					err = h.Truncate(o.i)
				}
				if (err != nil) != o.wantErr {
					t.Fatalf("op %d (%s): error %v, want error: %v", k, o.kind, err, o.wantErr)
				}
			}
			if h.Len() != tt.wantLen || h.Total() != tt.wantTotal {
				t.Errorf("Len, Total = %d, %d; want %d, %d", h.Len(), h.Total(), tt.wantLen, tt.wantTotal)
			}
			w, err := h.Window(tt.budget)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Window: error %v, want %v", err, tt.wantErr)
			}
			if w != tt.want {
				t.Errorf("window %+v, want %+v", w, tt.want)
			}
		})
	}
}

func TestHistoryAt(t *testing.T) {
	var h History
	if got := h.At(0); got != (Message{}) {
		t.Errorf("empty: At(0) = %+v", got)
	}
	for _, m := range []Message{sys(3), usr(4), ast(5)} {
		if err := h.Append(m); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		i    int
		want Message
	}{{0, sys(3)}, {1, usr(4)}, {2, ast(5)}, {3, Message{}}, {-1, Message{}}}
	for _, tt := range tests {
		if got := h.At(tt.i); got != tt.want {
			t.Errorf("At(%d) = %+v, want %+v", tt.i, got, tt.want)
		}
	}
}

// A History always answers what Budget.Fit answers over the same messages,
// whatever the edits.
func TestHistoryMatchesFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	roles := []Role{System, User, User, Assistant, Assistant, "tool"}
	budgets := []Budget{
		{Max: 50, Reserve: 10},
		{Max: 200, Reserve: 50, PerMessage: 3, PerReply: 3},
		{Max: 1000, Reserve: 100, PerMessage: 1},
		{Max: 30},
		{Max: 10, Reserve: 10},
	}
	var h History
	var msgs []Message
	for step := range 5000 {
		switch r := rng.IntN(20); {
		case r < 15:
			m := Message{roles[rng.IntN(len(roles))], rng.IntN(40)}
			if m.Role == System {
				m.Tokens = rng.IntN(8)
			}
			if err := h.Append(m); err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, m)
		case r < 18 && len(msgs) > 0:
			i, n := rng.IntN(len(msgs)), rng.IntN(40)
			if rng.IntN(2) == 0 {
				i = len(msgs) - 1
			}
			if err := h.Set(i, n); err != nil {
				t.Fatal(err)
			}
			msgs[i].Tokens = n
		case len(msgs) > 0:
			n := len(msgs) - rng.IntN(min(len(msgs), 5)) - 1
			if rng.IntN(50) == 0 {
				n = 0
			}
			if err := h.Truncate(n); err != nil {
				t.Fatal(err)
			}
			msgs = msgs[:n]
		}
		total := 0
		for _, m := range msgs {
			total += m.Tokens
		}
		if h.Len() != len(msgs) || h.Total() != total {
			t.Fatalf("step %d: Len, Total = %d, %d; want %d, %d", step, h.Len(), h.Total(), len(msgs), total)
		}
		for _, b := range budgets {
			want, wantErr := b.Fit(msgs)
			got, err := h.Window(b)
			if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("step %d, budget %+v, %d messages:\nHistory: %+v, %v\nFit:     %+v, %v",
					step, b, len(msgs), got, err, want, wantErr)
			}
		}
	}
}

// Adding turns one at a time counts each new text once and nothing else.
func TestHistoryNoRecount(t *testing.T) {
	var counter countingCounter
	cache := NewCache(&counter)
	var h History
	var ids, texts []string
	add := func(r Role, text string) {
		id := fmt.Sprint("m", len(ids))
		ids, texts = append(ids, id), append(texts, text)
		if err := h.Append(Message{r, cache.Count(id, text)}); err != nil {
			t.Fatal(err)
		}
	}
	add(System, "You are terse.")
	b := Budget{Max: 60, Reserve: 10, PerMessage: 1}
	for turn := range 200 {
		add(User, strings.Repeat("question ", turn%7+1))
		if _, err := h.Window(b); err != nil {
			t.Fatal(err)
		}
		add(Assistant, strings.Repeat("answer ", turn%11+1))
		w, err := h.Window(b)
		if err != nil {
			t.Fatal(err)
		}
		// The app builds the prompt from the window, with the cached counts.
		for i := range h.Len() {
			if w.Keeps(i, h.At(i).Role) {
				cache.Count(ids[i], texts[i])
			}
		}
	}
	if got, want := counter.calls.Load(), int64(len(texts)); got != want {
		t.Errorf("%d texts counted %d times", want, got)
	}
}
