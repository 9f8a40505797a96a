package reactive_test

import (
	"slices"
	"testing"

	"github.com/sheenhq/sheen/reactive"
)

// TestPostLater checks who runs a function given to PostLater: the caller,
// through the function returned, when no turn runs or is on its way;
// otherwise the turn that does, as with Post.
func TestPostLater(t *testing.T) {
	t.Run("idle: the caller runs the turn, with what others posted meanwhile", func(t *testing.T) {
		g := reactive.NewGraph()
		defer g.Close()
		var got []int
		run := g.PostLater(func() { got = append(got, 1) })
		if run == nil {
			t.Fatal("PostLater on an idle graph returned no turn to run")
		}
		if again := g.PostLater(func() { got = append(got, 2) }); again != nil {
			t.Fatal("a second PostLater before the first ran returned a turn too")
		}
		done := make(chan struct{})
		go func() { g.Post(func() { got = append(got, 3) }); close(done) }()
		<-done
		if len(got) != 0 {
			t.Fatalf("ran before the caller ran the turn: %v", got)
		}
		run()
		if !slices.Equal(got, []int{1, 2, 3}) {
			t.Fatalf("ran %v, want [1 2 3]", got)
		}
		// The mailbox is free again: the next PostLater gets a turn.
		if run := g.PostLater(func() { got = append(got, 4) }); run == nil {
			t.Fatal("no turn after the first one ran")
		} else {
			run()
		}
		if !slices.Equal(got, []int{1, 2, 3, 4}) {
			t.Fatalf("ran %v, want [1 2 3 4]", got)
		}
	})
	t.Run("inside a turn: the turn runs it", func(t *testing.T) {
		g := reactive.NewGraph()
		defer g.Close()
		var got []string
		g.Do(func() {
			if run := g.PostLater(func() { got = append(got, "posted") }); run != nil {
				t.Error("PostLater inside a turn returned a turn to run")
			}
			got = append(got, "turn")
		})
		if !slices.Equal(got, []string{"turn", "posted"}) {
			t.Fatalf("ran %v", got)
		}
	})
	t.Run("a turn on another goroutine: a drainer runs it after", func(t *testing.T) {
		g := reactive.NewGraph()
		defer g.Close()
		inTurn, release, ran := make(chan struct{}), make(chan struct{}), make(chan struct{})
		go g.Do(func() { close(inTurn); <-release })
		<-inTurn
		if run := g.PostLater(func() { close(ran) }); run != nil {
			t.Error("PostLater while another goroutine runs a turn returned a turn to run")
		}
		close(release)
		<-ran
	})
	t.Run("closed: never runs", func(t *testing.T) {
		g := reactive.NewGraph()
		g.Close()
		if run := g.PostLater(func() { t.Error("ran after Close") }); run != nil {
			t.Error("PostLater after Close returned a turn to run")
		}
	})
}
