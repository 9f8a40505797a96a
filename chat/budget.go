package chat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/tokens"
)

// Token budgets: the part of the transcript that fits a model's context
// window, the per-message counts, and the context meter.
//
// Each message is counted once, lazily, the first time a budget or the meter
// needs it, and a tokens.History mirrors the transcript so that a window
// costs O(log n) however long the chat is. The transcript only grows, except
// for ClearMessages, which bumps the chat's epoch; the mirror follows both.
//
// The counts live in the mirror, by position, not in a tokens.Cache by
// message id: chat messages never change once in the transcript, so a cache
// would never be hit (a clear forgets everything anyway), and its map insert
// cost 450 ns per message, more than everything else a turn costs
// (docs/chat.md, "Tokens and models").

// AttachmentTokens is what an image or PDF attachment counts for in a
// budget: about what one image costs OpenAI's and Anthropic's models at
// their default sizes. Text files count as the text sent. A PDF of many
// pages costs more; a budget's Reserve is there for what counts miss.
const AttachmentTokens = 1600

// tokenConfig holds the chat's token options.
type tokenConfig struct {
	counter tokens.Counter
	budget  tokens.Budget // the meter's; guarded by tokenState.mmu once the chat runs
}

// TokenCounter makes the chat count tokens with tc instead of
// [tokens.Default] (o200k_base, the encoding of OpenAI's current models).
// tc must be safe for concurrent use.
func TokenCounter(tc tokens.Counter) Option { return func(c *config) { c.tokens.counter = tc } }

// TokenBudget shows the chat's context meter: the tokens that
// [Chat.MessagesWithin] would send under b, out of b.Max − b.Reserve. The
// meter is brought up to date whenever a response starts or ends and when
// the chat is cleared. [Chat.SetTokenBudget] changes it later.
func TokenBudget(b tokens.Budget) Option { return func(c *config) { c.tokens.budget = b } }

// tokenState is a chat's token bookkeeping.
type tokenState struct {
	mu     sync.Mutex
	hist   tokens.History // the counts of msgs[:hist.Len()]
	msgs   []Message      // the transcript hist mirrors
	counts []int          // the counts again, append-only: TokenUsage hands it out
	system []int          // indices of the system messages in hist, ascending
	epoch  int            // the chat's epoch of msgs

	mmu      sync.Mutex // guards the meter's state and budget; taken in turns, never held while waiting for the graph
	metering bool       // a meter update runs
	again    bool       // another was asked for meanwhile
}

// errEnded is returned once the chat's session has ended.
var errEnded = fmt.Errorf("chat: the session has ended: %w", context.Canceled)

// MessagesWithin returns the newest contiguous run of the transcript that
// fits the budget b (b.Max − b.Reserve tokens, with b's format overhead),
// together with every system message before it, oldest first. It is
// [tokens.Budget.Fit] over the transcript.
//
// Each message is counted once, with the chat's counter ([TokenCounter]):
// its text, the text of its text attachments and [AttachmentTokens] for each
// image or PDF. Thinking is not counted (it is never sent back). Later calls
// count only the messages added since, and find the window in O(log n).
//
// The error is a [*tokens.BudgetError] wrapping [tokens.ErrInvalidBudget],
// [tokens.ErrSystemTooLarge] or [tokens.ErrUserTooLarge]. The slice must not
// be modified. It copies the window's messages when system messages precede
// the run kept (typically a system prompt, once the chat is long), and shares
// the transcript's otherwise; [Chat.TokenUsage] gives the same window without
// a slice. Counting a long message takes a while, so call it from a handler
// (off the session's goroutine) rather than from reactive code.
func (c *Chat) MessagesWithin(b tokens.Budget) ([]Message, error) {
	var out []Message
	err := c.withTokens(func(t *tokenState) error {
		w, err := t.hist.Window(b)
		if err != nil {
			return err
		}
		out = t.window(w)
		return nil
	})
	return out, err
}

// TokenUsage is how the transcript fills a budget: what a context meter or a
// "/tokens" command shows, and the window without building a slice of it.
// Its slices are shared with the chat and must not be modified.
type TokenUsage struct {
	Messages []Message     // the transcript, as Messages returns it
	Tokens   []int         // Tokens[i] is the count of Messages[i], without format overhead
	Window   tokens.Window // the part that fits: Window.Keeps(i, role) says whether Messages[i] is sent
}

// TokenUsage counts the transcript as [Chat.MessagesWithin] does and reports
// each message's count and the window that fits b. It copies nothing: after
// the first call it costs O(log n) plus the counting of new messages. If the
// transcript does not fit, the error says why and the usage still has the
// messages and their counts.
func (c *Chat) TokenUsage(b tokens.Budget) (TokenUsage, error) {
	var u TokenUsage
	err := c.withTokens(func(t *tokenState) error {
		u.Messages, u.Tokens = slices.Clip(t.msgs), slices.Clip(t.counts)
		w, err := t.hist.Window(b)
		u.Window = w
		return err
	})
	return u, err
}

// SetTokenBudget shows the context meter for b, as [TokenBudget] does, or
// hides it for the zero Budget.
func (c *Chat) SetTokenBudget(b tokens.Budget) {
	t := &c.tok
	t.mmu.Lock()
	c.cfg.tokens.budget = b
	t.mmu.Unlock()
	if b == (tokens.Budget{}) {
		c.g.Do(func() { c.send("meter", map[string]int{"used": 0, "budget": 0}) })
		return
	}
	c.g.Do(c.meterChanged)
}

// withTokens brings the counts up to date with the transcript and runs fn
// with them, under the token lock. The transcript is read first, outside the
// lock: the graph is never waited for while the lock is held, so a caller in
// reactive code cannot deadlock with another in a handler.
func (c *Chat) withTokens(fn func(t *tokenState) error) error {
	t := &c.tok
	for {
		msgs, epoch, ran := c.messages()
		if !ran {
			return errEnded
		}
		t.mu.Lock()
		if epoch < t.epoch || epoch == t.epoch && len(msgs) < t.hist.Len() {
			// Another caller already counted a newer transcript than this
			// one; read it again rather than go back.
			t.mu.Unlock()
			continue
		}
		err := c.syncTokens(msgs, epoch)
		if err == nil {
			err = fn(t)
		}
		t.mu.Unlock()
		return err
	}
}

// syncTokens makes the history mirror msgs, counting only what is new.
// Called with t.mu held.
func (c *Chat) syncTokens(msgs []Message, epoch int) error {
	t := &c.tok
	counter := c.cfg.tokens.counter
	if counter == nil {
		counter = tokens.Default()
	}
	n := t.hist.Len()
	if epoch != t.epoch || n > 0 && msgs[n-1].ID != t.msgs[n-1].ID {
		// Cleared (or, defensively, not the transcript counted before).
		_ = t.hist.Truncate(0)
		t.counts = nil // a new array: usages handed out keep the old one
		t.system = t.system[:0]
		n, t.epoch = 0, epoch
	}
	t.msgs = msgs
	for i := n; i < len(msgs); i++ {
		m := &msgs[i]
		text, fixed := tokenText(m)
		k := counter.Count(text) + fixed
		if err := t.hist.Append(tokens.Message{Role: tokens.Role(m.Role), Tokens: k}); err != nil {
			return err
		}
		t.counts = append(t.counts, k)
		if m.Role == System {
			t.system = append(t.system, i)
		}
	}
	return nil
}

// window returns the messages w keeps. Called with t.mu held.
func (t *tokenState) window(w tokens.Window) []Message {
	tail := t.msgs[w.Start:]
	k, _ := slices.BinarySearch(t.system, w.Start) // system messages before Start
	if k == 0 {
		return slices.Clip(tail)
	}
	out := make([]Message, k, k+len(tail))
	for j, i := range t.system[:k] {
		out[j] = t.msgs[i]
	}
	return append(out, tail...)
}

// tokenText is what counts of m: its text and the text of its text
// attachments (as the provider formats send them), and fixed tokens for its
// images and PDFs.
func tokenText(m *Message) (text string, fixed int) {
	if len(m.ToolCalls) > 0 { // toolcall.go: the calls and their results are sent too
		var b strings.Builder
		b.WriteString(m.Content)
		for _, t := range m.ToolCalls {
			b.WriteString("\n")
			b.WriteString(t.Name)
			b.WriteString(t.Args)
			b.WriteString(t.modelResult())
		}
		return b.String(), 0
	}
	if m.Role != User || len(m.Attachments) == 0 {
		return m.Content, 0
	}
	var b strings.Builder
	b.WriteString(m.Content)
	for _, a := range m.Attachments {
		p := readAttachment(a)
		if p.kind == partImage || p.kind == partPDF {
			fixed += AttachmentTokens
			continue
		}
		b.WriteString("\n")
		b.WriteString(p.text())
	}
	return b.String(), fixed
}

// meterChanged brings the context meter up to date, if there is one: the
// counting runs on its own goroutine, one at a time, coalescing the requests
// that come while it runs. Turn.
func (c *Chat) meterChanged() {
	t := &c.tok
	t.mmu.Lock()
	defer t.mmu.Unlock()
	if c.cfg.tokens.budget == (tokens.Budget{}) {
		return
	}
	if t.metering {
		t.again = true
		return
	}
	t.metering = true
	go c.runMeter()
}

func (c *Chat) runMeter() {
	t := &c.tok
	for {
		t.mmu.Lock()
		b := c.cfg.tokens.budget
		t.again = false
		t.mmu.Unlock()
		if b != (tokens.Budget{}) {
			var used, limit int
			err := c.withTokens(func(t *tokenState) error {
				w, err := t.hist.Window(b)
				used, limit = w.Used, w.Limit
				return err
			})
			var be *tokens.BudgetError
			switch {
			case errors.Is(err, errEnded):
				t.mmu.Lock()
				t.metering = false
				t.mmu.Unlock()
				return
			case errors.As(err, &be) && be.Err != tokens.ErrInvalidBudget:
				used, limit = be.Need, b.Max-b.Reserve // over budget: the meter shows it full
			case err != nil:
				c.log.Warn("chat: token meter", zap.Error(err))
				used, limit = 0, 0
			}
			c.g.Do(func() {
				t.mmu.Lock()
				current := c.cfg.tokens.budget == b
				t.mmu.Unlock()
				if current { // not changed meanwhile
					c.send("meter", map[string]int{"used": used, "budget": limit})
				}
			})
		}
		t.mmu.Lock()
		if !t.again {
			t.metering = false
			t.mmu.Unlock()
			return
		}
		t.mmu.Unlock()
	}
}
