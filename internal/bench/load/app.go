package load

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
)

// ChatID is the element id of the app's chat.
const ChatID = "chat"

// AppPage is the app's page: one chat.
func AppPage(opts ...chat.Option) *sheen.PageNode {
	return sheen.Page("sheen · load", chat.UI(ChatID, opts...))
}

// Server returns the app's server function: a chat (with opts) whose
// answer to a [Request] is a stream of its chunks, at its rate. Requests
// for more than maxChunks chunks are cut to maxChunks; other submissions
// are answered with a short error message.
func Server(maxChunks int, opts ...chat.Option) func(*sheen.Session) {
	return func(s *sheen.Session) {
		c := chat.New(s, ChatID, opts...)
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
			r, err := ParseRequest(in.Text)
			if err != nil {
				return c.AppendMessage(ctx, "bad request: "+err.Error())
			}
			_, err = c.AppendMessageStream(ctx, Chunks(ctx, min(r.Chunks, maxChunks), r.Every)).Wait(ctx)
			if err == chat.ErrStopped || ctx.Err() != nil {
				return nil
			}
			return err
		})
	}
}

// Users is the app's identity function (sheen.WithUsers): the user a page
// names in [UserHeader], or "load".
func Users(r *http.Request) (string, error) {
	if u := r.Header.Get(UserHeader); u != "" {
		return u, nil
	}
	return "load", nil
}

// Request asks for a reply of Chunks chunks, one every Every: the text a
// client submits is its String.
type Request struct {
	Chunks int
	Every  time.Duration
}

func (r Request) String() string { return fmt.Sprintf("stream %d %s", r.Chunks, r.Every) }

// ParseRequest parses a [Request]'s String. Every must be at least 1 ms.
func ParseRequest(s string) (Request, error) {
	f := strings.Fields(s)
	if len(f) != 3 || f[0] != "stream" {
		return Request{}, fmt.Errorf("want \"stream CHUNKS EVERY\", got %q", s)
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 1 {
		return Request{}, fmt.Errorf("bad chunk count %q", f[1])
	}
	every, err := time.ParseDuration(f[2])
	if err != nil || every < time.Millisecond {
		return Request{}, fmt.Errorf("bad interval %q", f[2])
	}
	return Request{Chunks: n, Every: every}, nil
}

// ParagraphChunks is how many chunks make a paragraph: every
// ParagraphChunks-th chunk ends with a blank line, which closes a markdown
// block, as a model's reply does every few dozen words.
const ParagraphChunks = 20

// Chunk returns chunk i (from 1): the word "w<i>" and a space, or a blank
// line at the end of a paragraph.
func Chunk(i int) string {
	if i%ParagraphChunks == 0 {
		return "w" + strconv.Itoa(i) + "\n\n"
	}
	return "w" + strconv.Itoa(i) + " "
}

// Text returns the whole reply of n chunks.
func Text(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(Chunk(i))
	}
	return b.String()
}

// Chunks yields chunks 1 to n, the first at once and then one per tick of
// every, until ctx ends.
func Chunks(ctx context.Context, n int, every time.Duration) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		t := time.NewTicker(every)
		defer t.Stop()
		for i := 1; i <= n; i++ {
			if i > 1 {
				select {
				case <-t.C:
				case <-ctx.Done():
					return
				}
			}
			if !yield(Chunk(i), nil) {
				return
			}
		}
	}
}
