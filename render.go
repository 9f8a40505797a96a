package sheen

import (
	"bytes"
	"errors"

	"go.uber.org/zap"

	"github.com/sheenhq/sheen/internal/logerr"
	"github.com/sheenhq/sheen/protocol"
	"github.com/sheenhq/sheen/reactive"
)

// Render computes an output's content; build one with [RenderText],
// [RenderMarkdown], [RenderUI] or [RenderHTML] and bind it with
// [Session.Output].
type Render struct {
	render func(s *Session) (protocol.Output, error)
	empty  protocol.Output
}

// RenderText renders fn's result as plain text.
func RenderText(fn func() (string, error)) Render {
	return Render{render: func(*Session) (protocol.Output, error) {
		t, err := fn()
		return protocol.TextOutput(t), err
	}, empty: protocol.TextOutput("")}
}

// RenderMarkdown renders fn's result as markdown on the server (GitHub
// flavoured, sanitized: it is safe for text a model or a user wrote).
func RenderMarkdown(fn func() (string, error)) Render {
	return Render{render: func(s *Session) (protocol.Output, error) {
		t, err := fn()
		if err != nil {
			return protocol.Output{}, err
		}
		return protocol.HTMLOutput(s.app.md.RenderString(t)), nil
	}, empty: protocol.HTMLOutput("")}
}

// RenderUI renders the [Node] fn builds (escaped like the page).
func RenderUI(fn func() (Node, error)) Render {
	return Render{render: func(*Session) (protocol.Output, error) {
		n, err := fn()
		if err != nil {
			return protocol.Output{}, err
		}
		var b bytes.Buffer
		if n != nil {
			if err := n.Render(&b); err != nil {
				return protocol.Output{}, err
			}
		}
		return protocol.HTMLOutput(b.String()), nil
	}, empty: protocol.HTMLOutput("")}
}

// RenderHTML renders HTML the app author wrote, as is.
func RenderHTML(fn func() (TrustedHTML, error)) Render {
	return Render{render: func(*Session) (protocol.Output, error) {
		h, err := fn()
		return protocol.HTMLOutput(string(h)), err
	}, empty: protocol.HTMLOutput("")}
}

// Output binds the page output with the given id to r: r runs now and again
// whenever something it read changes, and the page shows the result. A silent
// stop (an input the page has not sent yet, reactive.Req) clears the output;
// a task in progress marks it busy; an error is logged and shown in the
// output (sanitized unless in development mode). Binding an id again replaces
// the earlier binding.
func (s *Session) Output(id string, r Render) {
	s.g.Do(func() {
		if old := s.outputs[id]; old != nil {
			old.Destroy()
		}
		s.outputs[id] = s.outputEffect(id, r, nil)
	})
}

// outputEffect is the effect that renders output id with r; keep, if not
// nil, sees every state it sends (a Scope keeps it for snapshots). Turn.
func (s *Session) outputEffect(id string, r Render, keep func(protocol.Output)) *reactive.Effect {
	return reactive.NewEffect(s.g, func() error {
		out, err := safeRender(s, r)
		switch {
		case err == nil:
		case errors.Is(err, reactive.ErrInProgress):
			out = protocol.BusyOutput(true)
		case reactive.IsSilent(err):
			out = r.empty
		default:
			logerr.Log(s.log, "sheen: rendering an output", err, zap.String("output", id))
			out = protocol.ErrorOutput(s.app.userMessage(err))
		}
		s.setOutput(id, out)
		if keep != nil {
			keep(out)
		}
		return nil
	}, reactive.Label("output "+id))
}

func safeRender(s *Session, r Render) (out protocol.Output, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = reactive.AsError(p)
		}
	}()
	return r.render(s)
}
