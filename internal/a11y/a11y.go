package a11y

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sheenhq/sheen/internal/browsertest"
)

// Violation is an axe-core rule that failed, with the elements it failed
// on.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []Node `json:"nodes"`
}

// Node is an element a rule failed on.
type Node struct {
	Target  []string `json:"target"` // CSS selectors, outermost first
	HTML    string   `json:"html"`
	Summary string   `json:"failureSummary"`
}

// String is the violation as a test reports it: the rule, its impact and
// help, and each element with what to fix.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n\t%s\n\t\t%s\n\t\t%s", strings.Join(n.Target, " "), n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
	}
	return b.String()
}

var (
	loadOnce sync.Once
	source   string
	loadErr  error
)

// axeSource returns axe.min.js, read once from node_modules beside this
// file.
func axeSource() (string, error) {
	loadOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "node_modules", "axe-core", "axe.min.js"))
		source, loadErr = string(b), err
	})
	return source, loadErr
}

// Check runs axe-core's rules on the tab's document, once its transitions
// and finite animations have ended, and returns the violations. Rules for experimental checks are not run. The
// test is skipped when axe-core is not installed, or fails when
// SHEEN_REQUIRE_BROWSER=1 (as under make).
func Check(t testing.TB, tab *browsertest.Tab) []Violation {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		msg := fmt.Sprintf("a11y: axe-core is not installed (run `make a11y`): %v", err)
		if errors.Is(err, fs.ErrNotExist) && os.Getenv("SHEEN_REQUIRE_BROWSER") != "1" {
			t.Skip(msg)
		}
		t.Fatal(msg)
	}
	if !browsertest.Eval[bool](tab, `typeof axe === "object"`) {
		tab.JS(src + "\n;undefined")
	}
	// Transitions and finite animations end first: a colour half-way
	// through a fade-in is not the one a reader sees. One may also start
	// while axe runs (a scroll event shows a button that fades in): then
	// axe runs again once it has ended.
	out := browsertest.Eval[string](tab, `(async () => {
		const moving = () => document.getAnimations().filter((a) =>
			a.effect?.getTiming().iterations !== Infinity && a.playState === "running");
		const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
		const settle = async () => {
			for (let i = 0; i < 20; i++) {
				const m = moving();
				if (m.length === 0) {
					await frames();
					if (moving().length === 0) return;
					continue;
				}
				await Promise.all(m.map((a) => a.finished.catch(() => {})));
			}
		};
		let r, started = false;
		const start = () => { started = true; };
		for (const e of ["animationstart", "transitionstart"]) document.addEventListener(e, start, true);
		for (let i = 0; i < 5; i++) {
			await settle();
			started = false;
			r = await axe.run(document, {resultTypes: ["violations"]});
			if (!started && moving().length === 0) break;
		}
		for (const e of ["animationstart", "transitionstart"]) document.removeEventListener(e, start, true);
		return JSON.stringify(r.violations);
	})()`)
	var vs []Violation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("a11y: axe-core's result: %v", err)
	}
	return vs
}
