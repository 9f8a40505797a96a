package chat

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sheenhq/sheen/store"
)

// A message's author, avatar and time are saved with it and come back.
func TestPeopleSaved(t *testing.T) {
	at := time.UnixMilli(1765000000123)
	cv := newConv(nil, "c1", "", "chat")
	for _, tc := range []struct {
		name string
		m    Message
		want Message // what fromStore gives back (zero: m)
	}{
		{"assistant", Message{ID: "chat-m1", Role: Assistant, Content: "hi", ContentType: Markdown, Author: "Researcher", Icon: AvatarInitials("R"), Time: at}, Message{}},
		{"user", Message{ID: "chat-m2", Role: User, Content: "yo", ContentType: TextType, Author: "Ada", Time: at}, Message{}},
		{"no author", Message{ID: "chat-m3", Role: Assistant, Content: "x", ContentType: Markdown, Time: at}, Message{}},
		{"transformed", Message{ID: "chat-m5", Role: User, Content: "typed", ContentType: TextType, Time: at, Transformed: "[ctx] typed"}, Message{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sm := cv.toStore(tc.m)
			got, _, ok := fromStore(sm)
			if !ok {
				t.Fatal("fromStore refused the row")
			}
			want := tc.m
			if got.Author != want.Author || got.Icon != want.Icon || !got.Time.Equal(want.Time) || got.Transformed != want.Transformed {
				t.Errorf("got author %q icon %q time %v; want %q %q %v", got.Author, got.Icon, got.Time, want.Author, want.Icon, want.Time)
			}
		})
	}
	// A row saved before messages had times takes the row's creation time.
	old := store.Message{ID: "chat-m9", Role: "assistant", Content: "old", Meta: []byte(`{"type":"markdown"}`), Created: at}
	if m, _, _ := fromStore(old); !m.Time.Equal(at) {
		t.Errorf("an old row's time is %v, want its Created %v", m.Time, at)
	}
}

// A reply saved while it streams keeps its author and avatar (another
// instance follows it with them), and the live start event carries them.
func TestPeopleStreaming(t *testing.T) {
	w := &writer{id: "chat-m4", icon: "<b>W</b>", author: "Writer", at: time.UnixMilli(1765000000000)}
	var md meta
	if err := json.Unmarshal(w.rawMeta(), &md); err != nil {
		t.Fatal(err)
	}
	if !md.Raw || md.Author != "Writer" || md.Icon != "<b>W</b>" || md.Time != 1765000000000 {
		t.Errorf("raw meta %+v", md)
	}
	cv := newConv(nil, "c1", "", "chat")
	row := store.Message{ID: "chat-m4", Role: "assistant", Content: "so far", Status: store.StatusStreaming, Meta: w.rawMeta()}
	cv.follow(row)
	if h := cv.live.head(); h.Author != "Writer" || h.Icon != "<b>W</b>" || !h.Time.Equal(w.at) {
		t.Errorf("followed head %+v", h)
	}
	ev, _ := json.Marshal(liveEvent{Kind: evStart, ID: "x", Icon: "i", Author: "Writer"})
	if !strings.Contains(string(ev), `"author":"Writer"`) {
		t.Errorf("start event %s", ev)
	}
}

func TestAvatars(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Ada Lovelace", "AL"},
		{"ada", "A"},
		{"  grace  brewster murray hopper ", "GB"},
		{"🧐", "🧐"},
		{"<script>", "&lt;"},
		{"", ""},
	} {
		if got := string(AvatarInitials(tc.in)); got != `<span class="sheen-chat-initials">`+tc.want+`</span>` {
			t.Errorf("AvatarInitials(%q) = %s", tc.in, got)
		}
	}
	for _, tc := range []struct{ src, want string }{
		{"https://example.com/a.png", `<img src="https://example.com/a.png" alt="Ada &#34;A&#34;">`},
		{"/static/a.png", `<img src="/static/a.png" alt="Ada &#34;A&#34;">`},
		{"data:image/png;base64,AAAA", `<img src="data:image/png;base64,AAAA" alt="Ada &#34;A&#34;">`},
		{"javascript:alert(1)", ""},
		{"data:image/svg+xml,<svg onload=x>", ""},
		{"//evil.example/a.png", ""},
		{`x" onerror="pwn()`, `<img src="x&#34; onerror=&#34;pwn()" alt="Ada &#34;A&#34;">`},
		{"", ""},
	} {
		if got := string(AvatarImage(tc.src, `Ada "A"`)); got != tc.want {
			t.Errorf("AvatarImage(%q) = %s, want %s", tc.src, got, tc.want)
		}
	}
}
