package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
)

func testMessageRoundTrip(t *testing.T, s store.Store) {
	c := create(t, s, "alice", "t", base())
	at := base().Add(time.Minute + 7*time.Millisecond)
	want := []store.Message{
		{ID: newID(), Role: "user", Content: "What is 2+2?", Created: at},
		{ID: newID(), Role: "assistant", Content: "4", Status: "", Meta: []byte(`{"model":"m","tokens":3}`), Created: at.Add(time.Second)},
		{ID: newID(), Role: "tool", Content: "", Status: "error: chat's own status", Meta: []byte{0, 1, 2, 255}, Created: at.Add(2 * time.Second)},
	}
	for _, m := range want {
		appendMsg(t, s, c.ID, m)
	}
	_, got := get(t, s, "alice", c.ID)
	checkMessages(t, got, want)

	// A zero Created becomes now.
	before := time.Now()
	m := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "now"})
	after := time.Now()
	_, got = get(t, s, "alice", c.ID)
	checkMessages(t, got, append(want, m))
	if last := got[len(got)-1]; !within(last.Created, before, after) {
		t.Errorf("zero Created became %v, want now (%v … %v)", last.Created, before, after)
	}
}

func testMessageOrder(t *testing.T, s store.Store) {
	c := create(t, s, "alice", "t", base())
	// Ids that sort against the order of appending, and Created times that do
	// too: the store keeps append order, nothing else.
	var want []store.Message
	for i := range 40 {
		m := store.Message{
			ID:      string(rune('z'-i%26)) + newID(),
			Role:    []string{"user", "assistant"}[i%2],
			Content: strings.Repeat("x", i),
			Created: base().Add(-time.Duration(i) * time.Second),
		}
		want = append(want, appendMsg(t, s, c.ID, m))
	}
	_, got := get(t, s, "alice", c.ID)
	checkMessages(t, got, want)
}

func testMessageDuplicate(t *testing.T, s store.Store) {
	c := create(t, s, "alice", "t", base())
	other := create(t, s, "alice", "other", base())
	m := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "original"})
	dup := store.Message{ID: m.ID, Role: "assistant", Content: "overwrite?"}
	if err := s.Append(context.Background(), c.ID, dup); !errors.Is(err, store.ErrExists) {
		t.Errorf("Append of an existing message id: %v, want store.ErrExists", err)
	}
	_, got := get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{m})

	// Ids are unique within a conversation only.
	same := appendMsg(t, s, other.ID, store.Message{ID: m.ID, Role: "user", Content: "elsewhere"})
	_, got = get(t, s, "alice", other.ID)
	checkMessages(t, got, []store.Message{same})
}

func testStreaming(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := create(t, s, "alice", "t", base())
	q := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "tell me"})
	m := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Status: store.StatusStreaming, Meta: []byte(`{"thinking":true}`)})
	after := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "later"})
	var text strings.Builder
	for i := range 50 {
		chunk := []string{"Once ", "upon ", "a ", "time, ", "世界 ", "🙂", "\n"}[i%7]
		if err := s.AppendText(ctx, c.ID, m.ID, chunk); err != nil {
			t.Fatal(err)
		}
		text.WriteString(chunk)
		if i == 20 {
			m.Content = text.String()
			_, got := get(t, s, "alice", c.ID)
			checkMessages(t, got, []store.Message{q, m, after})
		}
	}
	if err := s.AppendText(ctx, c.ID, m.ID, ""); err != nil {
		t.Errorf("AppendText of nothing: %v", err)
	}
	m.Content = text.String()
	_, got := get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{q, m, after})

	// Update finishes it: everything but the id and Created is replaced.
	done := store.Message{ID: m.ID, Role: "assistant", Content: "The end.", Status: "", Meta: []byte(`{"tokens":42}`)}
	if err := s.Update(ctx, c.ID, done); err != nil {
		t.Fatal(err)
	}
	_, got = get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{q, done, after})
	if !near(got[1].Created, m.Created) && !m.Created.IsZero() {
		t.Errorf("Update changed Created")
	}
	// Update can clear Meta.
	done.Meta = nil
	if err := s.Update(ctx, c.ID, done); err != nil {
		t.Fatal(err)
	}
	_, got = get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{q, done, after})
}

func testHalfWritten(t *testing.T, s store.Store) {
	// What a reader finds when the writer went away mid-stream: the message
	// as streaming, with exactly the text appended so far.
	c := create(t, s, "alice", "t", base())
	m := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Content: "Par", Status: store.StatusStreaming})
	for _, chunk := range []string{"tial", " ans", "wer"} {
		if err := s.AppendText(context.Background(), c.ID, m.ID, chunk); err != nil {
			t.Fatal(err)
		}
	}
	_, got := get(t, s, "alice", c.ID)
	m.Content = "Partial answer"
	checkMessages(t, got, []store.Message{m})
}

func testManyPieces(t *testing.T, s store.Store) {
	// A long reply saved piece by piece: 500 pieces of 100 bytes, each
	// different, read back in order.
	ctx := context.Background()
	c := create(t, s, "alice", "t", base())
	m := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Content: "start:", Status: store.StatusStreaming})
	var text strings.Builder
	text.WriteString(m.Content)
	for i := range 500 {
		piece := fmt.Sprintf("%05d", i) + strings.Repeat(string(rune('a'+i%26)), 95)
		if err := s.AppendText(ctx, c.ID, m.ID, piece); err != nil {
			t.Fatal(err)
		}
		text.WriteString(piece)
	}
	m.Content = text.String()
	_, got := get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{m})
	if len(got) == 1 && got[0].Content != m.Content {
		t.Errorf("content: %d bytes, want %d", len(got[0].Content), len(m.Content))
	}
}

func testInterleavedStreams(t *testing.T, s store.Store) {
	// Two replies streaming at once in one conversation (two tabs), with
	// messages before, between and after them; then one finished by Update
	// and the other left streaming, growing again after the Update.
	ctx := context.Background()
	c := create(t, s, "alice", "t", base())
	other := create(t, s, "alice", "other", base())
	first := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "q1"})
	a := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Content: "A:", Status: store.StatusStreaming})
	mid := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "q2"})
	b := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Status: store.StatusStreaming})
	o := appendMsg(t, s, other.ID, store.Message{Role: "assistant", Status: store.StatusStreaming})
	for i := range 30 {
		for _, x := range []*store.Message{&a, &b, &o} {
			piece := fmt.Sprint(" ", x.ID[:3], i)
			conv := c.ID
			if x == &o {
				conv = other.ID
			}
			if err := s.AppendText(ctx, conv, x.ID, piece); err != nil {
				t.Fatal(err)
			}
			x.Content += piece
		}
	}
	last := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "q3"})
	_, got := get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{first, a, mid, b, last})

	done := store.Message{ID: a.ID, Role: "assistant", Content: "A, rewritten."}
	if err := s.Update(ctx, c.ID, done); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendText(ctx, c.ID, a.ID, " More."); err != nil {
		t.Fatal(err)
	}
	done.Content += " More."
	if err := s.AppendText(ctx, c.ID, b.ID, " end"); err != nil {
		t.Fatal(err)
	}
	b.Content += " end"
	_, got = get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{first, done, mid, b, last})
	_, got = get(t, s, "alice", other.ID)
	checkMessages(t, got, []store.Message{o})
}

func testUnknownMessage(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := create(t, s, "alice", "t", base())
	other := create(t, s, "alice", "other", base())
	m := appendMsg(t, s, c.ID, store.Message{Role: "user", Content: "hi"})
	elsewhere := appendMsg(t, s, other.ID, store.Message{Role: "user", Content: "there"})

	wantNotFound(t, "Update of an unknown message", s.Update(ctx, c.ID, store.Message{ID: newID(), Content: "x"}))
	wantNotFound(t, "AppendText to an unknown message", s.AppendText(ctx, c.ID, newID(), "x"))
	// A message of another conversation is unknown here.
	wantNotFound(t, "Update of another conversation's message", s.Update(ctx, c.ID, store.Message{ID: elsewhere.ID, Content: "x"}))
	wantNotFound(t, "AppendText to another conversation's message", s.AppendText(ctx, c.ID, elsewhere.ID, "x"))

	_, got := get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{m})
	_, got = get(t, s, "alice", other.ID)
	checkMessages(t, got, []store.Message{elsewhere})
}

func testUnknownConversation(t *testing.T, s store.Store) {
	ctx := context.Background()
	missing := newID()
	wantNotFound(t, "Append", s.Append(ctx, missing, store.Message{ID: newID(), Content: "x"}))
	wantNotFound(t, "AppendText", s.AppendText(ctx, missing, newID(), "x"))
	wantNotFound(t, "Update", s.Update(ctx, missing, store.Message{ID: newID(), Content: "x"}))
	_, _, err := s.Get(ctx, "alice", missing)
	wantNotFound(t, "Get", err)
	wantNotFound(t, "Rename", s.Rename(ctx, "alice", missing, "x"))
	wantNotFound(t, "Delete", s.Delete(ctx, "alice", missing))
}

func testMeta(t *testing.T, s store.Store) {
	c := create(t, s, "alice", "t", base())
	tests := []struct {
		name string
		meta []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"json", []byte(`{"attachments":[{"name":"a.png","size":1234}],"thinking":"hmm"}`)},
		{"binary", []byte{0, 0, 1, 0x80, 0xff, '\n', 0}},
		{"one zero byte", []byte{0}},
		{"large", []byte(strings.Repeat(`{"k":"v"},`, 50_000))},
	}
	var want []store.Message
	for _, tt := range tests {
		want = append(want, appendMsg(t, s, c.ID, store.Message{Role: "assistant", Content: tt.name, Meta: tt.meta}))
	}
	_, got := get(t, s, "alice", c.ID)
	checkMessages(t, got, want)
	// The store does not keep the caller's slice.
	for i := range want {
		if len(want[i].Meta) > 0 {
			want[i].Meta[0] ^= 0xff
			_, again := get(t, s, "alice", c.ID)
			want[i].Meta[0] ^= 0xff
			checkMeta(t, again[i].Meta, want[i].Meta)
		}
	}
}

func testUnicode(t *testing.T, s store.Store) {
	ctx := context.Background()
	title := "日本語のタイトル 🙂 \u200d👩‍👩‍👧"
	c := create(t, s, "ユーザー🙂", title, base())
	texts := []string{
		"emoji 🙂👍🏽👩‍💻🇫🇷",
		"中文 日本語 한국어",
		"NUL inside\x00text\x00",
		"\x00",
		"right-to-left עברית العربية",
		"combining e\u0301 and \ufeff BOM and \U0010FFFF",
		"line\r\nbreaks\tand\u2028separators",
	}
	var want []store.Message
	for _, text := range texts {
		want = append(want, appendMsg(t, s, c.ID, store.Message{Role: "user", Content: text}))
	}
	// Streaming text with NULs and multi-byte runes arriving in pieces.
	m := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Content: "\x00", Status: store.StatusStreaming})
	for _, chunk := range []string{"🙂", "\x00", "世", "界", ""} {
		if err := s.AppendText(ctx, c.ID, m.ID, chunk); err != nil {
			t.Fatal(err)
		}
		m.Content += chunk
	}
	want = append(want, m)
	got, ms := get(t, s, "ユーザー🙂", c.ID)
	if got.Title != title || got.Owner != "ユーザー🙂" {
		t.Errorf("title, owner = %q, %q; want %q, %q", got.Title, got.Owner, title, "ユーザー🙂")
	}
	checkMessages(t, ms, want)
}

func testLongMessage(t *testing.T, s store.Store) {
	// Whole runes only: the suite does not ask for invalid UTF-8 to survive.
	const unit = "0123456789abcdef🙂\x00" // 21 bytes
	const size = 5 << 20
	ctx := context.Background()
	c := create(t, s, "alice", "t", base())
	long := strings.Repeat(unit, size/len(unit)+1)
	m := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Content: long})
	_, got := get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{m})

	// Growing past 5 MB by AppendText, then replaced by Update.
	chunk := strings.Repeat(unit, 5)
	g := appendMsg(t, s, c.ID, store.Message{Role: "assistant", Content: long[:len(long)-10*len(chunk)], Status: store.StatusStreaming})
	for range 10 {
		if err := s.AppendText(ctx, c.ID, g.ID, chunk); err != nil {
			t.Fatal(err)
		}
	}
	g.Content = long
	_, got = get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{m, g})
	g.Content, g.Status = strings.ToUpper(long), ""
	if err := s.Update(ctx, c.ID, g); err != nil {
		t.Fatal(err)
	}
	_, got = get(t, s, "alice", c.ID)
	checkMessages(t, got, []store.Message{m, g})
}
