package tokens

import (
	"fmt"
	"math"
)

// A History is a growing list of messages, each with its token count, that
// finds the window fitting a budget in O(log n) and without counting
// anything: it keeps running sums of the counts, so appending a message costs
// O(1) amortized and [History.Window] a binary search over those sums. Its
// windows are those of [Budget.Fit] over the same messages.
//
// Index i of a History is the i-th message appended, as in the caller's own
// list of messages, which the History mirrors. The counts come from the
// caller, typically from a [Cache], so a message is counted once however
// often the window is asked for.
//
// The zero History is empty and ready to use. A History is not safe for
// concurrent use: the caller must change it together with its own list of
// messages, under the lock (or in the goroutine) that guards that list, so
// that the indices of a [Window] mean the same messages in both.
type History struct {
	msgs      []Message
	sums      []sum // sums[i] covers the non-system messages in msgs[:i]; len(msgs)+1 entries once used
	system    []int // indices of the system messages, ascending
	users     []int // indices of the user messages, ascending
	sysTokens int   // tokens of the system messages
}

type sum struct {
	tokens int // tokens of the non-system messages
	n      int // how many there are
}

func (h *History) sum(i int) sum {
	if len(h.sums) == 0 {
		return sum{}
	}
	return h.sums[i]
}

// Len returns the number of messages in h.
func (h *History) Len() int { return len(h.msgs) }

// At returns the message at index i, with its token count (an app's context
// meter shows these). It returns the zero Message if i is out of range.
func (h *History) At(i int) Message {
	if i < 0 || i >= len(h.msgs) {
		return Message{}
	}
	return h.msgs[i]
}

// Total returns the tokens of all messages in h, without format overhead.
func (h *History) Total() int {
	return h.sysTokens + h.sum(len(h.msgs)).tokens
}

// Append adds m as the newest message. The error wraps [ErrInvalidCount] if
// m.Tokens is negative or would make the total overflow an int; h is then
// unchanged.
func (h *History) Append(m Message) error {
	if err := h.checkCount(len(h.msgs), m.Tokens, 0); err != nil {
		return err
	}
	i := len(h.msgs)
	h.msgs = append(h.msgs, m)
	if h.sums == nil {
		h.sums = append(h.sums, sum{})
	}
	last := h.sums[i]
	switch m.Role {
	case System:
		h.system = append(h.system, i)
		h.sysTokens += m.Tokens
	case User:
		h.users = append(h.users, i)
		fallthrough
	default:
		last.tokens += m.Tokens
		last.n++
	}
	h.sums = append(h.sums, last)
	return nil
}

// Set changes the token count of the message at index i, after its text was
// edited or its stream ended. It costs O(1) for the newest message and
// O(Len − i) for an older one. The error reports an index out of range, or
// wraps [ErrInvalidCount]; h is then unchanged.
func (h *History) Set(i, tokens int) error {
	if i < 0 || i >= len(h.msgs) {
		return fmt.Errorf("tokens: Set: index %d out of range [0, %d)", i, len(h.msgs))
	}
	old := h.msgs[i].Tokens
	if err := h.checkCount(i, tokens, old); err != nil {
		return err
	}
	h.msgs[i].Tokens = tokens
	delta := tokens - old
	if h.msgs[i].Role == System {
		h.sysTokens += delta
		return nil
	}
	for j := i + 1; j < len(h.sums); j++ {
		h.sums[j].tokens += delta
	}
	return nil
}

// checkCount checks that message i may have tokens tokens in place of old.
func (h *History) checkCount(i, tokens, old int) error {
	if tokens < 0 {
		return fmt.Errorf("%w: message %d would have %d tokens", ErrInvalidCount, i, tokens)
	}
	if rest := h.Total() - old; tokens > math.MaxInt-rest {
		return fmt.Errorf("%w: message %d would have %d tokens; the total overflows", ErrInvalidCount, i, tokens)
	}
	return nil
}

// Truncate drops every message from index n on, keeping the first n (to
// regenerate a reply, or to clear the history with n = 0). It costs
// O(Len − n). The error reports an n out of range [0, Len]; h is then
// unchanged.
func (h *History) Truncate(n int) error {
	if n < 0 || n > len(h.msgs) {
		return fmt.Errorf("tokens: Truncate: length %d out of range [0, %d]", n, len(h.msgs))
	}
	for len(h.system) > 0 && h.system[len(h.system)-1] >= n {
		h.sysTokens -= h.msgs[h.system[len(h.system)-1]].Tokens
		h.system = h.system[:len(h.system)-1]
	}
	for len(h.users) > 0 && h.users[len(h.users)-1] >= n {
		h.users = h.users[:len(h.users)-1]
	}
	clear(h.msgs[n:])
	h.msgs = h.msgs[:n]
	if h.sums != nil {
		h.sums = h.sums[:n+1]
	}
	return nil
}

// Window returns the part of h that fits b, as [Budget.Fit] would over the
// same messages, with the same errors, in O(log n).
func (h *History) Window(b Budget) (Window, error) {
	limit, err := b.validate()
	if err != nil {
		return Window{}, err
	}
	base := b.cost(b.PerReply, h.sysTokens, len(h.system))
	if base > limit {
		return Window{}, &BudgetError{Err: ErrSystemTooLarge, Budget: b, Need: base}
	}

	// The window starting at s fits if the messages from s on fit in the
	// room left by the system messages: tokens + n·PerMessage <= room. The
	// arithmetic cannot overflow: tokens <= room is checked before, and
	// n <= maxN before n·PerMessage.
	room := limit - base
	maxN := math.MaxInt
	if b.PerMessage > 0 {
		maxN = math.MaxInt / b.PerMessage
	}
	end := h.sum(len(h.msgs))
	fits := func(s int) bool {
		p := h.sum(s)
		tokens, n := end.tokens-p.tokens, end.n-p.n
		return tokens <= room && n <= maxN && n*b.PerMessage <= room-tokens
	}
	hi := len(h.msgs) // the empty run always fits
	if len(h.users) > 0 {
		hi = h.users[len(h.users)-1]
		if !fits(hi) {
			p := h.sum(hi)
			need := b.cost(base, end.tokens-p.tokens, end.n-p.n)
			return Window{}, &BudgetError{Err: ErrUserTooLarge, Budget: b, Need: need}
		}
	}
	// The smallest start that fits; fits(s) implies fits(s+1).
	lo := 0
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if fits(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	p := h.sum(lo)
	used := base + end.tokens - p.tokens + (end.n-p.n)*b.PerMessage
	return Window{Start: lo, Dropped: p.n, Used: used, Limit: limit}, nil
}
