package chat

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var commandName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

type command struct {
	name, description string
	handler           func(ctx context.Context, args string) error
	echo              bool
	force             bool
}

// CommandOption configures a slash command.
type CommandOption func(*command)

// Echo sets whether a command shows its "/name args" bubble and the loading
// state and stays in the transcript. It is on by default for commands with a
// handler; turn it off for commands that only have side effects.
func Echo(on bool) CommandOption { return func(c *command) { c.echo = on } }

// Force replaces a command of the same name instead of failing.
func Force() CommandOption { return func(c *command) { c.force = true } }

// SlashCommand adds a command the user can run by typing "/name args" (the
// page offers a palette when the input starts with "/"). handler receives the
// text after the command and a context that the stop button cancels; a slash
// command never runs the OnUserSubmit handlers. A nil handler makes a command
// the page handles: the chat element gets a cancelable "sheen-chat-command"
// DOM event, and if no page script cancels it, the text is sent as an
// ordinary message. Names match [A-Za-z0-9_-]+; a duplicate name is an error
// unless [Force] is given. Commands can be added and removed at any time.
func (c *Chat) SlashCommand(name, description string, handler func(ctx context.Context, args string) error, opts ...CommandOption) error {
	if !commandName.MatchString(name) {
		return fmt.Errorf("chat: slash command name %q: want letters, digits, _ or -", name)
	}
	cmd := &command{name: name, description: description, handler: handler, echo: handler != nil}
	for _, o := range opts {
		o(cmd)
	}
	var err error
	c.g.Do(func() {
		i := slices.IndexFunc(c.commands, func(x *command) bool { return x.name == name })
		switch {
		case i >= 0 && !cmd.force:
			err = fmt.Errorf("chat: slash command %q already exists (use chat.Force() to replace it)", name)
			return
		case i >= 0:
			c.commands[i] = cmd
		default:
			c.commands = append(c.commands, cmd)
		}
		c.sendCommands()
	})
	return err
}

// RemoveSlashCommand removes a command and reports whether it existed.
func (c *Chat) RemoveSlashCommand(name string) bool {
	var ok bool
	c.g.Do(func() {
		n := len(c.commands)
		c.commands = slices.DeleteFunc(c.commands, func(x *command) bool { return x.name == name })
		ok = len(c.commands) < n
		if ok {
			c.sendCommands()
		}
	})
	return ok
}

// sendCommands tells the page the current commands. Turn.
func (c *Chat) sendCommands() {
	type wireCmd struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Echo        bool   `json:"echo"`
		Server      bool   `json:"server"`
	}
	list := make([]wireCmd, 0, len(c.commands))
	for _, x := range c.commands {
		list = append(list, wireCmd{x.name, x.description, x.echo, x.handler != nil})
	}
	c.send("commands", map[string]any{"commands": list})
}

// parseCommand splits "/name args" into its parts.
func parseCommand(text string) (name, args string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	rest := text[1:]
	name, args, _ = strings.Cut(rest, " ")
	if i := strings.IndexAny(name, "\n\t"); i >= 0 {
		name, args = name[:i], strings.TrimSpace(rest[i:])
	}
	if !commandName.MatchString(name) {
		return "", "", false
	}
	return name, strings.TrimSpace(args), true
}

// runCommand runs in as a server slash command, reporting whether it was
// one. Turn.
func (c *Chat) runCommand(in Input, skip *Chat) bool {
	name, args, ok := parseCommand(in.Text)
	if !ok {
		return false
	}
	i := slices.IndexFunc(c.commands, func(x *command) bool { return x.name == name && x.handler != nil })
	if i < 0 {
		return false
	}
	cmd := c.commands[i]
	cv := c.cur()
	cv.mu.Lock()
	defer cv.mu.Unlock()
	if cmd.echo {
		u := c.userMsg(in)
		u.Command = name
		cv.appendMsg(u, skip)
	}
	cv.startResponse(c, func(ctx context.Context) error { return cmd.handler(ctx, args) })
	return true
}

// InputChange is one change [Chat.UpdateUserInput] makes to the input.
type InputChange func(map[string]any)

// InputValue sets the input's text.
func InputValue(s string) InputChange { return func(m map[string]any) { m["value"] = s } }

// InputPlaceholder sets the input's placeholder.
func InputPlaceholder(s string) InputChange {
	return func(m map[string]any) { m["placeholder"] = s }
}

// InputSubmit sends the input's (new) value as if the user had, then
// restores what the user was typing. If a response is running, the submit
// waits for it to end.
func InputSubmit() InputChange { return func(m map[string]any) { m["submit"] = true } }

// InputFocus moves the focus to the input.
func InputFocus() InputChange { return func(m map[string]any) { m["focus"] = true } }

// UpdateUserInput changes the chat's input on the page.
func (c *Chat) UpdateUserInput(changes ...InputChange) {
	m := map[string]any{}
	for _, ch := range changes {
		ch(m)
	}
	c.g.Do(func() { c.send("input", m) })
}
