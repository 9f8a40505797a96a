package chat_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
)

func TestSlashCommands(t *testing.T) {
	var c *chat.Chat
	greeted := make(chan string, 1)
	submitted := make(chan string, 4)
	base := newApp(t, func(s *sheen.Session) {
		c = chat.New(s, "chat")
		c.OnUserSubmit(func(ctx context.Context, in chat.Input) error { submitted <- in.Text; return nil })
		if err := c.SlashCommand("greet", "Say hello", func(ctx context.Context, args string) error {
			greeted <- args
			return c.AppendMessage(ctx, "Hello, "+args+"!")
		}); err != nil {
			t.Error(err)
		}
		if err := c.SlashCommand("quiet", "No bubble", func(ctx context.Context, args string) error { return nil }, chat.Echo(false)); err != nil {
			t.Error(err)
		}
		if err := c.SlashCommand("page", "Handled by the page", nil); err != nil {
			t.Error(err)
		}
	})
	p := open(t, base)
	p.Next("reset")
	cmds := p.Next("commands")["commands"].([]any)
	for len(cmds) < 3 {
		cmds = p.Next("commands")["commands"].([]any)
	}
	if len(cmds) != 3 || cmds[0].(map[string]any)["name"] != "greet" || cmds[2].(map[string]any)["server"] != false {
		t.Fatalf("commands = %v", cmds)
	}

	p.Submit("/greet world")
	if got := <-greeted; got != "world" {
		t.Fatalf("greet got %q", got)
	}
	if h := p.Next("append")["message"].(map[string]any)["html"].(string); !strings.Contains(h, "Hello, world!") {
		t.Fatalf("reply = %s", h)
	}
	p.Idle()
	msgs := c.Messages()
	if len(msgs) != 2 || msgs[0].Command != "greet" || msgs[0].Content != "/greet world" {
		t.Fatalf("transcript = %s", fmtMsgs(msgs))
	}

	p.Submit("/quiet now")
	p.Next("busy")
	p.Idle()
	if n := len(c.Messages()); n != 2 {
		t.Fatalf("an echo-off command entered the transcript: %s", fmtMsgs(c.Messages()))
	}

	for _, text := range []string{"/unknown hello", "/page not handled by a script"} {
		p.Submit(text)
		if got := <-submitted; got != text {
			t.Fatalf("OnUserSubmit got %q, want %q", got, text)
		}
		p.Idle()
	}
	select {
	case g := <-greeted:
		t.Fatalf("greet ran again with %q", g)
	default:
	}

	if c.RemoveSlashCommand("greet") != true {
		t.Fatal("RemoveSlashCommand(greet) = false")
	}
	if cmds := p.Next("commands")["commands"].([]any); len(cmds) != 2 {
		t.Fatalf("after remove: %v", cmds)
	}
	p.Submit("/greet again")
	if got := <-submitted; got != "/greet again" {
		t.Fatalf("a removed command still ran; OnUserSubmit got %q", got)
	}
}

func TestSlashCommandErrors(t *testing.T) {
	errs := make(chan []error, 1)
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat")
		h := func(context.Context, string) error { return nil }
		errs <- []error{
			c.SlashCommand("bad name", "", h),
			c.SlashCommand("", "", h),
			c.SlashCommand("ok", "", h),
			c.SlashCommand("ok", "", h),
			c.SlashCommand("ok", "replaced", h, chat.Force()),
		}
	})
	open(t, base)
	got := <-errs
	want := []bool{true, true, false, true, false} // is an error
	for i, err := range got {
		if (err != nil) != want[i] {
			t.Fatalf("call %d: err = %v, want error=%v", i, err, want[i])
		}
	}
}

func TestUpdateUserInput(t *testing.T) {
	var c *chat.Chat
	base := newApp(t, func(s *sheen.Session) { c = chat.New(s, "chat") })
	p := open(t, base)
	p.Next("reset")
	c.UpdateUserInput(chat.InputValue("from the server"), chat.InputSubmit(), chat.InputFocus())
	d := p.Next("input")
	if d["value"] != "from the server" || d["submit"] != true || d["focus"] != true || d["placeholder"] != nil {
		t.Fatalf("input message = %v", d)
	}
}
