package tokens

import (
	"errors"
	"fmt"
	"math"
)

// A Role says who wrote a message. Only [System] and [User] matter to a
// budget: system messages are always kept, and the newest user message must
// fit. Any other role (a tool result, say) is treated like [Assistant].
type Role string

// The roles of a chat.
const (
	System    Role = "system"
	User      Role = "user"
	Assistant Role = "assistant"
)

// A Message is what a budget needs to know of a message: who wrote it and
// how many tokens its content has (without the format overhead, which the
// [Budget] adds).
type Message struct {
	Role   Role
	Tokens int
}

// A Budget says how many tokens of a history may be sent to a model.
//
// The messages sent must fit in Max − Reserve tokens: Max is the model's
// context window and Reserve the room kept for its reply. Every message sent
// also costs PerMessage tokens of format overhead, and the request PerReply
// tokens once. Both are zero unless set, because they depend on the provider's
// chat format and a wrong guess hidden in a default would be worse than none;
// for OpenAI's chat models set PerMessage: 3, PerReply: 3 (one more for a
// message with a name). The Reserve absorbs what the counts miss.
type Budget struct {
	Max        int
	Reserve    int
	PerMessage int
	PerReply   int
}

// A Window is the part of a history that fits a budget: the newest
// contiguous run of messages, from Start to the end, together with every
// system message before Start.
type Window struct {
	Start   int // every message from Start on is kept; before it, only system messages
	Dropped int // how many messages are left out: those before Start that are not system messages
	Used    int // tokens the window takes, overhead included
	Limit   int // tokens it may take: Max − Reserve
}

// Keeps reports whether the window keeps the message at index i, whose role
// is r.
func (w Window) Keeps(i int, r Role) bool {
	return i >= w.Start || r == System
}

// Errors of a budget, each wrapped in a [*BudgetError].
var (
	// ErrInvalidBudget: Max is not greater than Reserve, or a field is negative.
	ErrInvalidBudget = errors.New("tokens: invalid budget")
	// ErrSystemTooLarge: the system messages alone (with PerReply) do not fit.
	ErrSystemTooLarge = errors.New("tokens: system messages exceed the budget")
	// ErrUserTooLarge: not even the newest user message (with the system
	// messages and every message after it) fits.
	ErrUserTooLarge = errors.New("tokens: newest user message exceeds the budget")
)

// ErrInvalidCount is wrapped by the error for a negative token count, or for
// counts whose sum overflows an int.
var ErrInvalidCount = errors.New("tokens: invalid token count")

// A BudgetError is the error of a history that does not fit a budget, or of
// an invalid budget. Err is [ErrInvalidBudget], [ErrSystemTooLarge] or
// [ErrUserTooLarge], so errors.Is works on it; errors.As gives the numbers.
type BudgetError struct {
	Err    error
	Budget Budget
	Need   int // tokens the smallest acceptable window takes; 0 for ErrInvalidBudget
}

func (e *BudgetError) Error() string {
	b := e.Budget
	switch e.Err {
	case ErrInvalidBudget:
		return fmt.Sprintf("%v: max %d, reserve %d, per message %d, per reply %d "+
			"(max must exceed reserve; none may be negative)", e.Err, b.Max, b.Reserve, b.PerMessage, b.PerReply)
	case ErrSystemTooLarge:
		return fmt.Sprintf("%v: they need %d tokens, the budget allows %d (max %d - reserve %d)",
			e.Err, e.Need, b.Max-b.Reserve, b.Max, b.Reserve)
	}
	return fmt.Sprintf("%v: it needs %d tokens with the system messages, the budget allows %d (max %d - reserve %d)",
		e.Err, e.Need, b.Max-b.Reserve, b.Max, b.Reserve)
}

// Unwrap returns e.Err.
func (e *BudgetError) Unwrap() error { return e.Err }

// validate checks b and returns the limit, Max − Reserve.
func (b Budget) validate() (int, error) {
	if b.Reserve < 0 || b.PerMessage < 0 || b.PerReply < 0 || b.Max <= b.Reserve {
		return 0, &BudgetError{Err: ErrInvalidBudget, Budget: b}
	}
	// cost saturates at math.MaxInt, which must never fit.
	return min(b.Max-b.Reserve, math.MaxInt-1), nil
}

// cost returns tokens + n·PerMessage + base, saturating at math.MaxInt. Its
// arguments are not negative.
func (b Budget) cost(base, tokens, n int) int {
	overhead := math.MaxInt
	if b.PerMessage == 0 {
		overhead = 0
	} else if n <= math.MaxInt/b.PerMessage {
		overhead = n * b.PerMessage
	}
	return add(add(base, tokens), overhead)
}

func add(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// Fit returns the window of msgs, oldest first, that fits b. It is the
// one-shot form of [History.Window]: it looks at every message, in O(n).
//
// The window keeps every system message, then as many of the newest other
// messages as fit, stopping at the first that does not (so the run stays
// contiguous). The error is a [*BudgetError] if b is invalid, if the system
// messages alone do not fit, or if the newest user message does not fit; it
// wraps [ErrInvalidCount] if a count is negative.
func (b Budget) Fit(msgs []Message) (Window, error) {
	limit, err := b.validate()
	if err != nil {
		return Window{}, err
	}
	var sysTokens, nSys, lastUser = 0, 0, -1
	for i, m := range msgs {
		if m.Tokens < 0 {
			return Window{}, fmt.Errorf("%w: message %d has %d tokens", ErrInvalidCount, i, m.Tokens)
		}
		switch m.Role {
		case System:
			sysTokens = add(sysTokens, m.Tokens)
			nSys++
		case User:
			lastUser = i
		}
	}
	base := b.cost(b.PerReply, sysTokens, nSys)
	if base > limit {
		return Window{}, &BudgetError{Err: ErrSystemTooLarge, Budget: b, Need: base}
	}

	// Walk back from the newest message, adding the others while they fit.
	used, start, dropped := base, 0, 0
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Role == System {
			continue
		}
		next := b.cost(used, m.Tokens, 1)
		if next > limit {
			if i >= lastUser && lastUser >= 0 {
				// Keep adding to report how much the newest user turn needs.
				need := next
				for _, m := range msgs[lastUser:i] {
					if m.Role != System {
						need = b.cost(need, m.Tokens, 1)
					}
				}
				return Window{}, &BudgetError{Err: ErrUserTooLarge, Budget: b, Need: need}
			}
			start = i + 1
			for _, m := range msgs[:start] {
				if m.Role != System {
					dropped++
				}
			}
			break
		}
		used = next
	}
	return Window{Start: start, Dropped: dropped, Used: used, Limit: limit}, nil
}
