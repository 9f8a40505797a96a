package chat_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/internal/browsertest"
)

// TestBrowserChatPeople: who said it and when. Authors and avatars come
// from the chat's defaults and from each message (several agents), times
// are relative with the full date on hover, in the chat's locale.
func TestBrowserChatPeople(t *testing.T) {
	b := browsertest.New(t)
	then := time.Now().Add(-3*time.Minute - 10*time.Second)
	opts := []chat.Option{
		chat.UserName("Ada Lovelace"), chat.UserIcon(chat.AvatarInitials("Ada Lovelace")),
		chat.AssistantName("Sheen"), chat.Timestamps(), chat.TimeLocale("en-US"), chat.Fill(),
		chat.Messages(
			chat.Message{Role: chat.Assistant, Author: "Researcher", Icon: chat.AvatarInitials("Researcher"), Time: then,
				Content: "I looked up **three sources** on the Analytical Engine; notes below."},
			chat.Message{Role: chat.User, Content: "Summarise them in two lines, please.", Time: then.Add(70 * time.Second)},
		),
	}
	release := make(chan string)
	p := openChat(t, b, opts, func(s *sheen.Session, c *chat.Chat) {
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			if err := c.AppendMessage(ctx, chat.Message{Author: "Critic", Icon: chat.AvatarInitials("🧐"), Content: "The second source is a secondary one; weigh it less."}); err != nil {
				return err
			}
			s := c.AppendMessageStream(ctx, fed(ctx, release), chat.StreamAuthor("Writer"), chat.StreamIcon(chat.AvatarInitials("Writer")))
			_, err := s.Wait(ctx)
			return err
		})
	})
	head := `(i) => { const m = msgs()[i]; const t = m.querySelector(".sheen-chat-time"); return [m.querySelector(".sheen-chat-author")?.textContent ?? "", t?.textContent ?? "", m.querySelector(".sheen-chat-icon")?.textContent.trim() ?? ""].join("|"); }`
	p.JS(`window.head = ` + head)
	p.check(
		`head(0) === "Researcher|3 minutes ago|R"`,
		`head(1) === "Ada Lovelace|2 minutes ago|AL"`,
		// The full date and time on hover, and a machine-readable datetime.
		`/\d{4}/.test(msgs()[0].querySelector("time").title) && /, \d{4}/.test(msgs()[0].querySelector("time").title)`,
		`Math.abs(Date.parse(msgs()[0].querySelector("time").dateTime) - `+strconv.FormatInt(then.UnixMilli(), 10)+`) < 1000`,
		// The user's avatar is on the right of the bubble, the assistant's on the left.
		`(() => { const m = msgs()[1]; return m.querySelector(".sheen-chat-icon").getBoundingClientRect().left > m.querySelector(".sheen-chat-body").getBoundingClientRect().right; })()`,
		`(() => { const m = msgs()[0]; return m.querySelector(".sheen-chat-icon").getBoundingClientRect().right < m.querySelector(".sheen-chat-body").getBoundingClientRect().left; })()`,
		// The author line is above the content.
		`msgs()[0].querySelector(".sheen-chat-byline").getBoundingClientRect().bottom <= msgs()[0].querySelector(".sheen-chat-body").getBoundingClientRect().top + 1`,
	)

	p.typeText("And the third?")
	p.Do(press(kb.Enter))
	// The page shows its own question at once with the user's name and "now".
	p.Wait(`msgs().length >= 3 && head(2) === "Ada Lovelace|now|AL"`)
	p.Wait(`msgs().length === 5 && head(3) === "Critic|now|🧐" && head(4) === "Writer|now|W"`)
	release <- "The third is a **primary** source: Lovelace's own notes (1843)."
	close(release)
	p.idle()
	p.check(`head(4) === "Writer|now|W"`)

	msgs := p.chat.Messages()
	var authors []string
	for _, m := range msgs {
		authors = append(authors, m.Author)
		if m.Time.IsZero() {
			t.Errorf("message %s has no time", m.ID)
		}
	}
	if want := []string{"Researcher", "Ada Lovelace", "Ada Lovelace", "Critic", "Writer"}; !slices.Equal(authors, want) {
		t.Errorf("authors %q, want %q", authors, want)
	}
	if !msgs[0].Time.Equal(then) && msgs[0].Time.UnixMilli() != then.UnixMilli() {
		t.Errorf("the first message's time is %v, want %v", msgs[0].Time, then)
	}
	if msgs[4].Icon == "" {
		t.Error("the streamed message lost its icon")
	}

	// Screenshots: light and dark, wide and narrow.
	dir := os.Getenv("SHEEN_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sheen-chat-screens")
	}
	for _, scheme := range []string{"light", "dark"} {
		p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}))
		for _, w := range []int64{1200, 390} {
			p.Do(chromedp.EmulateViewport(w, 760))
			p.settle()
			p.SaveScreenshot(dir, "people-"+scheme+"-"+strconv.FormatInt(w, 10))
		}
	}
}
