package main

import (
	"context"
	"encoding/json"
	"iter"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/tools"
)

// respondOptions are chat.Respond's options for model m: the slash
// commands and the app's notes are not sent, the model server's errors are
// shown as they are (the user chose the server), Anthropic's thinking if
// ANTHROPIC_THINKING asks for it, and a real tool with SHEEN_TOOLS=1.
func respondOptions(m Model) []chat.RespondOption {
	opts := []chat.RespondOption{chat.Include(sendable), chat.ShowModelErrors()}
	if a, ok := m.(*Anthropic); ok && a.cfg.Thinking > 0 {
		opts = append(opts, chat.ThinkingBudget(a.cfg.Thinking))
	}
	if os.Getenv("SHEEN_TOOLS") == "1" {
		opts = append(opts, chat.WithTools(timeTool))
	}
	return opts
}

// timeTool tells the model the time in a time zone.
var timeTool = tools.Func("get_time", "The current date and time in an IANA time zone, such as Europe/Paris.",
	func(ctx context.Context, a struct {
		Zone string `json:"zone" jsonschema_description:"An IANA time zone, e.g. Europe/Paris or America/New_York"`
	}) (string, error) {
		loc, err := time.LoadLocation(a.Zone)
		if err != nil {
			return "", err
		}
		return time.Now().In(loc).Format("Monday 2 January 2006, 15:04 MST"), nil
	})

var weatherRe = regexp.MustCompile(`(?i)\bweather\b(?:.*?\b(?:in|at|for)\s+([\p{L}][\p{L} .'-]{0,40}))?`)

// weatherQuestion reports whether text asks the offline demo about the
// weather, and where.
func weatherQuestion(text string) (city string, ok bool) {
	m := weatherRe.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	return strings.TrimRight(strings.TrimSpace(m[1]), " ?.!"), true
}

// delayer is a responder with a pace (the offline one).
type delayer interface{ delay() time.Duration }

func (o Offline) delay() time.Duration {
	if o.Delay == 0 {
		return 12 * time.Millisecond
	}
	return o.Delay
}

func offlineDelay(r Backend) time.Duration {
	if d, ok := r.(delayer); ok {
		return d.delay()
	}
	return 12 * time.Millisecond
}

// weatherDemo is the offline demo of a tool call: a reply that calls a
// made-up weather tool, shown as a card (running, then done), and answers
// with its result. A real model's calls go through chat.Respond instead.
func weatherDemo(ctx context.Context, c *chat.Chat, city string, delay time.Duration) *chat.Stream {
	if city == "" {
		city = "Paris"
	}
	return c.AppendMessageStreamFunc(ctx, func(s *chat.Stream) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			intro := "Let me ask the demo weather tool."
			if !yield(intro, nil) {
				return
			}
			args, _ := json.Marshal(map[string]string{"city": city})
			call := chat.ToolCall{ID: "demo-" + strconv.FormatInt(time.Now().UnixNano(), 36), Name: "get_weather",
				Args: chat.PrettyArgs(args), Status: chat.ToolRunning, Round: 1, Offset: len(intro)}
			_ = s.ToolCall(call)
			t := time.NewTimer(40 * delay) // the tool "runs"
			defer t.Stop()
			select {
			case <-ctx.Done():
				yield("", ctx.Err())
				return
			case <-t.C:
			}
			call.Status = chat.ToolSuccess
			call.Result = `{"temp_c": 18, "sky": "light rain", "wind_kmh": 12}`
			call.Display = "**18 °C**, light rain, wind 12 km/h"
			call.DisplayType = chat.Markdown
			_ = s.ToolCall(call)
			for _, w := range chunks("\n\nIt is **18 °C** with light rain in " + city + ". The data is made up: the offline demo has no weather source, but a real model's tool calls show the same way (`chat.Respond` with `tools.Func`).") {
				if !yield(w, nil) {
					return
				}
			}
		}
	})
}
