package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/reactive"
	"github.com/sheenhq/sheen/tokens"
)

const systemPrompt = "You are the assistant of sheen chat, a demo of sheen (a reactive UI runtime for Go). Answer in Markdown; be concise."

func modelGreeting(m Model) string {
	return "**Welcome to sheen chat**, connected to **`" + m.Model() + "`** (" + strings.TrimPrefix(m.Name(), m.Model()+" ") + ").\n\n" +
		"Type a message, or `/model` to see or switch the model, `/tokens` to see how full its context window is, `/clear` to start over.\n\n" +
		"- <span class=\"suggestion submit\" title=\"Explain\">What is a reactive graph?</span>\n" +
		"- <span class=\"suggestion submit\" title=\"Code\">Write a Go function that reverses a string</span>\n"
}

const modelHelp = "### Commands\n\n- `/help`: this list\n- `/model`: the model in use and the others the server has; `/model name` switches\n- `/tokens`: how full the model's context window is, message by message\n- `/clear`: start over\n\nThe oldest messages are left out once the conversation outgrows the model's context window; the system prompt always goes."

// notePrefix starts the ids of the messages this app writes itself (the
// answers of its commands): they stay in the chat but are never sent to the
// model.
const notePrefix = "chat-note-"

// conversation is one session's chat and the responder answering it.
type conversation struct {
	c    *chat.Chat
	kept bool // conversations are kept (a history): a clear starts a new one

	mu    sync.Mutex
	r     Backend         // changed by /model
	resp  *chat.Responder // a model's (chat.Respond); nil offline
	notes int

	name *reactive.Value[string] // the responder's name, shown in the header
}

func (cv *conversation) responder() Backend {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	return cv.r
}

// note adds an answer of the app itself (markdown) to the chat.
func (cv *conversation) note(ctx context.Context, text string) error {
	cv.mu.Lock()
	cv.notes++
	id := notePrefix + strconv.Itoa(cv.notes)
	cv.mu.Unlock()
	return cv.c.AppendMessage(ctx, chat.Message{ID: id, Role: chat.Assistant, Content: text})
}

// history is what goes to the offline responder: the whole transcript.
func (cv *conversation) history() []chat.Message { return cv.c.Messages() }

// budgetError explains a history that does not fit the model.
func budgetError(err error) error {
	var be *tokens.BudgetError
	if !errors.As(err, &be) {
		return err
	}
	limit := be.Budget.Max - be.Budget.Reserve
	switch be.Err {
	case tokens.ErrUserTooLarge:
		return &sheen.SafeError{Err: err, Message: fmt.Sprintf(
			"Your message is too long for the model: with the system prompt it needs %s tokens, and the model's context window leaves %s. Shorten it, or switch to a model with a larger window (`/model`).",
			thousands(be.Need), thousands(limit))}
	case tokens.ErrSystemTooLarge:
		return &sheen.SafeError{Err: err, Message: fmt.Sprintf(
			"The system prompt alone needs %s tokens; the model's context window leaves %s. Set OPENAI_CONTEXT to the model's real window.",
			thousands(be.Need), thousands(limit))}
	}
	return &sheen.SafeError{Err: err, Message: "The model's context window is misconfigured: " + err.Error()}
}

// clear empties the chat; a model's system prompt comes back at once. With
// a history the chat moves to a new conversation, which starts with the
// system prompt (the chat's starting messages); the old one stays listed.
func (cv *conversation) clear(ctx context.Context) error {
	cv.c.ClearMessages(chat.KeepGreeting)
	if _, ok := cv.responder().(Model); ok && !cv.kept {
		return cv.c.AppendMessage(ctx, chat.Message{Role: chat.System, Content: systemPrompt})
	}
	return nil
}

// modelCommand is /model: without a name it shows the model and the
// server's others; with one it switches.
func (cv *conversation) modelCommand(ctx context.Context, args string) error {
	m, ok := cv.responder().(Model)
	if !ok {
		return cv.note(ctx, "No model is configured: the offline responder answers.")
	}
	if name := strings.TrimSpace(args); name != "" {
		if strings.ContainsAny(name, " \t\n") {
			return cv.note(ctx, "A model name has no spaces: `/model name`.")
		}
		m = m.WithModel(name)
		cv.mu.Lock()
		cv.r = m
		cv.mu.Unlock()
		cv.resp.SetModel(m.LLM())
		cv.name.Set(m.Name())
		b := m.Budget()
		cv.c.SetTokenBudget(b)
		return cv.note(ctx, fmt.Sprintf("Switched to **`%s`**: context window %s tokens, %s of them kept for its replies.",
			name, thousands(b.Max), thousands(b.Reserve)))
	}
	b := m.Budget()
	text := fmt.Sprintf("The model is **`%s`** (%s): context window %s tokens, %s of them kept for its replies.",
		m.Model(), strings.TrimPrefix(m.Name(), m.Model()+" "), thousands(b.Max), thousands(b.Reserve))
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if names, err := m.Models(lctx); err == nil && len(names) > 0 {
		for i, n := range names {
			names[i] = "`" + n + "`"
		}
		if len(names) > 40 {
			names = append(names[:40], fmt.Sprintf("and %d more", len(names)-40))
		}
		text += "\n\nThe server also has " + strings.Join(names, ", ") + ". Switch with `/model name`."
	} else {
		text += "\n\nSwitch with `/model name`."
	}
	return cv.note(ctx, text)
}

// tokensCommand is /tokens: the budget, how much of it the conversation
// takes, and each message's count.
func (cv *conversation) tokensCommand(ctx context.Context, args string) error {
	m, ok := cv.responder().(Model)
	if !ok {
		return cv.note(ctx, "No model is configured, so there is no context window to fill.")
	}
	b := m.Budget()
	u, err := cv.c.TokenUsage(b)
	limit := b.Max - b.Reserve
	sent := make([]bool, len(u.Messages))
	nSent := 0
	for i, msg := range u.Messages {
		sent[i] = err == nil && u.Window.Keeps(i, tokens.Role(msg.Role)) && sendable(msg)
		if sent[i] {
			nSent++
		}
	}
	var sb strings.Builder
	if err != nil {
		fmt.Fprintf(&sb, "**Over budget.** %s\n\n", budgetError(err).(*sheen.SafeError).Message)
	} else {
		fmt.Fprintf(&sb, "**%s of %s tokens** (the window of `%s`, %s, less %s kept for the reply); %d of %d messages would be sent.\n\n",
			thousands(u.Window.Used), thousands(limit), m.Model(), thousands(b.Max), thousands(b.Reserve), nSent, len(u.Messages))
	}
	const rows = 25
	first := max(0, len(u.Messages)-rows)
	if first > 0 {
		fmt.Fprintf(&sb, "The last %d messages:\n\n", rows)
	}
	sb.WriteString("| # | role | tokens | sent |\n|---:|---|---:|---|\n")
	for i := first; i < len(u.Messages); i++ {
		msg := u.Messages[i]
		s := "no"
		switch {
		case sent[i]:
			s = "yes"
		case meta(msg):
			s = "no (command)"
		case msg.Status == chat.Failed:
			s = "no (failed)"
		}
		fmt.Fprintf(&sb, "| %d | %s | %s | %s |\n", i+1, msg.Role, thousands(u.Tokens[i]), s)
	}
	return cv.note(ctx, sb.String())
}

// meta reports whether msg is a slash command or a command's answer: part
// of the chat, never sent to the model.
func meta(msg chat.Message) bool {
	return msg.Command != "" || strings.HasPrefix(msg.ID, notePrefix)
}

// sendable reports whether msg goes to the model: not a command, and not a
// reply that failed (its error is the chat's, and a retry asks again).
func sendable(msg chat.Message) bool {
	return !meta(msg) && msg.Status != chat.Failed
}

// thousands writes n with thousands separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
