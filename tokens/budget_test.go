package tokens

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func sys(n int) Message { return Message{System, n} }
func usr(n int) Message { return Message{User, n} }
func ast(n int) Message { return Message{Assistant, n} }

var budgetTests = []struct {
	name     string
	budget   Budget
	msgs     []Message
	want     Window
	wantErr  error
	wantNeed int
}{
	{name: "empty history",
		budget: Budget{Max: 100, Reserve: 20},
		want:   Window{Limit: 80}},
	{name: "everything fits",
		budget: Budget{Max: 100, Reserve: 20},
		msgs:   []Message{sys(10), usr(20), ast(30)},
		want:   Window{Used: 60, Limit: 80}},
	{name: "exact fit",
		budget: Budget{Max: 100, Reserve: 20},
		msgs:   []Message{sys(10), usr(20), ast(30), usr(20)},
		want:   Window{Used: 80, Limit: 80}},
	{name: "oldest dropped",
		budget: Budget{Max: 100, Reserve: 20},
		msgs:   []Message{sys(10), usr(30), ast(30), usr(20)},
		want:   Window{Start: 2, Dropped: 1, Used: 60, Limit: 80}},
	{name: "system messages before the run are kept",
		budget: Budget{Max: 100, Reserve: 20},
		msgs:   []Message{sys(5), usr(50), sys(10), ast(40), usr(20)},
		want:   Window{Start: 2, Dropped: 1, Used: 75, Limit: 80}},
	{name: "run is contiguous",
		budget: Budget{Max: 100, Reserve: 20},
		msgs:   []Message{usr(5), ast(70), usr(20)}, // usr(5) would fit, alone
		want:   Window{Start: 2, Dropped: 2, Used: 20, Limit: 80}},
	{name: "zero-token messages",
		budget: Budget{Max: 1, Reserve: 0},
		msgs:   []Message{sys(0), usr(0), ast(0), usr(1)},
		want:   Window{Used: 1, Limit: 1}},
	{name: "overhead counted when set",
		budget: Budget{Max: 100, Reserve: 20, PerMessage: 3, PerReply: 3},
		msgs:   []Message{sys(10), usr(20), ast(30), usr(20)}, // 16 + 23 + 33 = 72; +23 = 95
		want:   Window{Start: 2, Dropped: 1, Used: 72, Limit: 80}},
	{name: "no user message: only system fits",
		budget: Budget{Max: 100, Reserve: 20},
		msgs:   []Message{sys(70), ast(20)},
		want:   Window{Start: 2, Dropped: 1, Used: 70, Limit: 80}},
	{name: "other roles count like assistant",
		budget: Budget{Max: 100, Reserve: 20},
		msgs:   []Message{usr(50), {"tool", 30}, sys(10), usr(5), {"tool", 35}},
		want:   Window{Start: 1, Dropped: 1, Used: 80, Limit: 80}},
	{name: "old large user message",
		budget: Budget{Max: 100, Reserve: 20},
		msgs:   []Message{sys(10), usr(500), ast(5), usr(20)},
		want:   Window{Start: 2, Dropped: 1, Used: 35, Limit: 80}},
	{name: "huge max",
		budget: Budget{Max: math.MaxInt, Reserve: 0, PerMessage: 1},
		msgs:   []Message{ast(math.MaxInt / 2), usr(math.MaxInt / 2)},
		want:   Window{Start: 1, Dropped: 1, Used: math.MaxInt/2 + 1, Limit: math.MaxInt - 1}},

	{name: "max equals reserve",
		budget:  Budget{Max: 100, Reserve: 100},
		msgs:    []Message{usr(1)},
		wantErr: ErrInvalidBudget},
	{name: "max below reserve",
		budget:  Budget{Max: 100, Reserve: 200},
		wantErr: ErrInvalidBudget},
	{name: "zero budget",
		budget:  Budget{},
		wantErr: ErrInvalidBudget},
	{name: "negative reserve",
		budget:  Budget{Max: 100, Reserve: -1},
		wantErr: ErrInvalidBudget},
	{name: "negative overhead per message",
		budget:  Budget{Max: 100, PerMessage: -3},
		wantErr: ErrInvalidBudget},
	{name: "negative overhead per reply",
		budget:  Budget{Max: 100, PerReply: -3},
		wantErr: ErrInvalidBudget},
	{name: "system messages too large",
		budget:   Budget{Max: 100, Reserve: 20},
		msgs:     []Message{sys(50), usr(1), sys(40)},
		wantErr:  ErrSystemTooLarge,
		wantNeed: 90},
	{name: "system messages too large with overhead",
		budget:   Budget{Max: 100, Reserve: 20, PerMessage: 3, PerReply: 2},
		msgs:     []Message{sys(70), sys(3)},
		wantErr:  ErrSystemTooLarge,
		wantNeed: 81},
	{name: "overhead overflow",
		budget:   Budget{Max: 100, Reserve: 20, PerMessage: math.MaxInt},
		msgs:     []Message{sys(1), sys(1)},
		wantErr:  ErrSystemTooLarge,
		wantNeed: math.MaxInt},
	{name: "newest user message too large",
		budget:   Budget{Max: 100, Reserve: 20},
		msgs:     []Message{sys(10), usr(5), ast(5), usr(71)},
		wantErr:  ErrUserTooLarge,
		wantNeed: 81},
	{name: "newest user turn too large",
		budget:   Budget{Max: 100, Reserve: 20, PerMessage: 1},
		msgs:     []Message{sys(9), usr(30), sys(1), ast(38)}, // 12 + 31 fits, 12 + 31 + 39 does not
		wantErr:  ErrUserTooLarge,
		wantNeed: 82},
	{name: "newest user message too large, no system",
		budget:   Budget{Max: 10, Reserve: 0},
		msgs:     []Message{usr(11)},
		wantErr:  ErrUserTooLarge,
		wantNeed: 11},
	{name: "negative count",
		budget:  Budget{Max: 100},
		msgs:    []Message{usr(5), ast(-1)},
		wantErr: ErrInvalidCount},
}

func checkWindow(t *testing.T, got Window, err error, want Window, wantErr error, wantNeed int) {
	t.Helper()
	if wantErr == nil {
		if err != nil {
			t.Fatalf("error %v", err)
		}
		if got != want {
			t.Fatalf("window %+v, want %+v", got, want)
		}
		return
	}
	if !errors.Is(err, wantErr) {
		t.Fatalf("error %v, want %v", err, wantErr)
	}
	if got != (Window{}) {
		t.Errorf("window %+v with an error", got)
	}
	var be *BudgetError
	if errors.As(err, &be) != (wantErr != ErrInvalidCount) {
		t.Fatalf("errors.As(%v, *BudgetError) = %v", err, !errors.As(err, &be))
	}
	if be != nil && be.Need != wantNeed {
		t.Errorf("Need = %d, want %d", be.Need, wantNeed)
	}
}

func TestBudgetFit(t *testing.T) {
	for _, tt := range budgetTests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := tt.budget.Fit(tt.msgs)
			checkWindow(t, w, err, tt.want, tt.wantErr, tt.wantNeed)
			if err != nil {
				return
			}
			used := tt.budget.PerReply
			for i, m := range tt.msgs {
				if w.Keeps(i, m.Role) {
					used += m.Tokens + tt.budget.PerMessage
				}
			}
			if used != w.Used {
				t.Errorf("the kept messages take %d tokens, Used says %d", used, w.Used)
			}
		})
	}
}

func TestHistoryWindow(t *testing.T) {
	for _, tt := range budgetTests {
		t.Run(tt.name, func(t *testing.T) {
			var h History
			for i, m := range tt.msgs {
				if err := h.Append(m); err != nil {
					if tt.wantErr == ErrInvalidCount && errors.Is(err, ErrInvalidCount) {
						return
					}
					t.Fatalf("Append(message %d): %v", i, err)
				}
			}
			w, err := h.Window(tt.budget)
			checkWindow(t, w, err, tt.want, tt.wantErr, tt.wantNeed)
		})
	}
}

func TestBudgetErrorMessages(t *testing.T) {
	tests := []struct {
		budget Budget
		msgs   []Message
		want   []string
	}{
		{Budget{Max: 100, Reserve: 100}, nil, []string{"invalid budget", "max 100", "reserve 100"}},
		{Budget{Max: 100, Reserve: 20}, []Message{sys(90)}, []string{"system messages", "need 90 tokens", "allows 80"}},
		{Budget{Max: 100, Reserve: 20}, []Message{usr(81)}, []string{"newest user message", "needs 81 tokens", "allows 80"}},
	}
	for _, tt := range tests {
		_, err := tt.budget.Fit(tt.msgs)
		if err == nil {
			t.Fatalf("%+v: no error", tt.budget)
		}
		for _, want := range tt.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	}
}
