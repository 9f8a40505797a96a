package chat_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestBrowserChatTransforms: a user input transform runs before the
// handlers (and can suspend a submission), an assistant response transform
// makes what the page shows; Messages gives either form.
func TestBrowserChatTransforms(t *testing.T) {
	b := browsertest.New(t)
	got := make(chan chat.Input, 4)
	p := openChat(t, b, nil, func(s *sheen.Session, c *chat.Chat) {
		c.TransformUserInput(func(ctx context.Context, in chat.Input) (string, bool, error) {
			if strings.Contains(in.Text, "secret") {
				return "", false, nil // suspended
			}
			return "[notes: Menabrea 1842] " + in.Text, true, nil
		})
		c.TransformAssistantResponse(func(content string) string { return content + "\n\n*(checked)*" })
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			got <- in
			if err := c.AppendMessage(ctx, "echo: "+in.Text); err != nil {
				return err
			}
			_, err := c.AppendMessageStream(ctx, chat.FromStrings("streamed ", "answer")).Wait(ctx)
			return err
		})
	})
	p.typeText("who wrote the notes?")
	p.Do(press(kb.Enter))
	in := recv(t, got, "the transformed input")
	if in.Text != "[notes: Menabrea 1842] who wrote the notes?" || in.Typed != "who wrote the notes?" {
		t.Errorf("the handler got %+v", in)
	}
	p.idle()
	p.Wait(`texts().join("|") === "who wrote the notes?|echo: [notes: Menabrea 1842] who wrote the notes?\n(checked)|streamed answer\n(checked)"`)

	// A submission the transform suspends: shown, no handler, unlocked.
	p.typeText("my secret plan")
	p.Do(press(kb.Enter))
	p.Wait(`texts().length === 4 && texts()[3] === "my secret plan"`)
	p.idle()
	none(t, got, "a handler call for a suspended submission")

	p.typeText("and then?")
	p.Do(press(kb.Enter))
	recv(t, got, "the third input")
	p.idle()
	p.Wait(`texts().length === 7`)

	contents := func(opts ...chat.MessagesOption) []string {
		var out []string
		for _, m := range p.chat.Messages(opts...) {
			out = append(out, m.Content)
		}
		return out
	}
	typed := []string{"who wrote the notes?", "echo: [notes: Menabrea 1842] who wrote the notes?", "streamed answer", "my secret plan", "and then?", "echo: [notes: Menabrea 1842] and then?", "streamed answer"}
	for _, tc := range []struct {
		name string
		opts []chat.MessagesOption
		want func([]string)
	}{
		{"default: users transformed, assistants as written", nil, func(w []string) {
			w[0] = "[notes: Menabrea 1842] who wrote the notes?"
			w[4] = "[notes: Menabrea 1842] and then?"
		}},
		{"none transformed", []chat.MessagesOption{chat.UserForm(chat.NoneTransformed)}, func([]string) {}},
		{"last transformed", []chat.MessagesOption{chat.UserForm(chat.LastTransformed)}, func(w []string) { w[4] = "[notes: Menabrea 1842] and then?" }},
		{"assistants as shown", []chat.MessagesOption{chat.UserForm(chat.NoneTransformed), chat.AssistantShown()}, func(w []string) {
			for _, i := range []int{1, 2, 5, 6} {
				w[i] += "\n\n*(checked)*"
			}
		}},
	} {
		want := append([]string(nil), typed...)
		tc.want(want)
		if g := contents(tc.opts...); strings.Join(g, "|") != strings.Join(want, "|") {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, g, want)
		}
	}
}
