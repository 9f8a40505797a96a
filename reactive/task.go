package reactive

import (
	"context"
	"errors"

	"github.com/sheenhq/sheen/internal/goid"
)

// TaskStatus is the state of a [Task].
type TaskStatus int

// Task states, as in Shiny's ExtendedTask.
const (
	TaskInitial TaskStatus = iota
	TaskRunning
	TaskSuccess
	TaskError
	TaskCancelled
)

var taskStatusNames = [...]string{"initial", "running", "success", "error", "cancelled"}

func (s TaskStatus) String() string {
	if s >= 0 && int(s) < len(taskStatusNames) {
		return taskStatusNames[s]
	}
	return "unknown"
}

// Task runs long work (a model call, a stream) off the graph, in its own
// goroutine, with a [context.Context] (Shiny's ExtendedTask). Its status and
// result are reactive. Invoking it while it runs queues the call; calls run one
// after another in order. The body must not read reactive values (that fails
// with [ErrReadInTask]): pass what it needs as its argument.
type Task[A, R any] struct {
	g      *Graph
	fn     func(context.Context, A) (R, error)
	status *Value[TaskStatus]
	result R
	err    error
	queue  []A
	cancel context.CancelFunc
	gen    uint64
}

// NewTask returns a task running fn.
func NewTask[A, R any](g *Graph, fn func(ctx context.Context, arg A) (R, error)) *Task[A, R] {
	return &Task[A, R]{g: g, fn: fn, status: NewValue(g, TaskInitial)}
}

// Invoke starts the task with arg, or queues arg if the task is running or
// calls are already queued. It never waits for the body.
func (t *Task[A, R]) Invoke(arg A) {
	t.g.Do(func() {
		if t.status.Peek() == TaskRunning || len(t.queue) > 0 {
			t.queue = append(t.queue, arg)
			return
		}
		t.start(arg)
	})
}

func (t *Task[A, R]) start(arg A) {
	g := t.g
	var zero R
	t.result, t.err = zero, nil
	t.gen++
	gen := t.gen
	ctx, cancel := context.WithCancel(g.ctx)
	t.cancel = cancel
	t.status.Set(TaskRunning)
	go func() {
		me := goid.Current()
		g.mbox.Lock()
		if g.taskGs == nil {
			g.taskGs = make(map[uintptr]struct{})
		}
		g.taskGs[me] = struct{}{}
		g.mbox.Unlock()
		r, err := callTask(t.fn, ctx, arg)
		g.mbox.Lock()
		delete(g.taskGs, me)
		g.mbox.Unlock()
		cancelled := ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, ctx.Err()))
		cancel()
		g.Post(func() { t.finish(gen, r, err, cancelled) })
	}()
}

func callTask[A, R any](fn func(context.Context, A) (R, error), ctx context.Context, arg A) (r R, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = recovered(p)
		}
	}()
	return fn(ctx, arg)
}

func (t *Task[A, R]) finish(gen uint64, r R, err error, cancelled bool) {
	if gen != t.gen {
		return // cancelled and superseded
	}
	t.cancel = nil
	switch {
	case cancelled:
		t.status.Set(TaskCancelled)
	case err != nil:
		t.err = err
		t.status.Set(TaskError)
	default:
		t.result = r
		t.status.Set(TaskSuccess)
	}
	if len(t.queue) > 0 {
		// Let readers see this call's outcome before the next call starts, as
		// Shiny flushes between them.
		_ = t.g.Flush()
		next := t.queue[0]
		var zero A
		t.queue[0] = zero
		t.queue = t.queue[1:]
		t.start(next)
		_ = t.g.Flush() // readers see "running" even if the call ends at once
	}
}

// Status returns the task's status and, inside a calc or effect, makes the
// reader depend on it.
func (t *Task[A, R]) Status() TaskStatus { return t.status.Get() }

// Result returns the task's result (reactively, like [Task.Status]): the value
// after success, the error after failure, [ErrInProgress] while running, and
// [ErrSilent] before the first run and after a cancel.
func (t *Task[A, R]) Result() (r R, err error) {
	if !t.g.owned() {
		t.g.readOff(func() { r, err = t.Result() })
		return r, err
	}
	var zero R
	switch t.status.Get() {
	case TaskSuccess:
		return t.result, nil
	case TaskError:
		return zero, t.err
	case TaskRunning:
		return zero, ErrInProgress
	}
	return zero, ErrSilent
}

// Cancel cancels the running call's context, drops the queued calls and sets
// the status to cancelled at once. A body that ignores its context still runs
// to its end, but its result is dropped.
func (t *Task[A, R]) Cancel() {
	t.g.Do(func() {
		clear(t.queue)
		t.queue = t.queue[:0]
		if t.status.Peek() != TaskRunning {
			return
		}
		t.gen++
		if t.cancel != nil {
			t.cancel()
			t.cancel = nil
		}
		t.status.Set(TaskCancelled)
	})
}
