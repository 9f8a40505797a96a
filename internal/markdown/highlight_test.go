package markdown

import (
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/dlclark/regexp2/v2"
)

// highlightSamples returns long code blocks in several languages, among
// them lexers that hand parts of the text to other lexers (Go's raw
// strings, HTML's script and style elements, Markdown's fenced code).
func highlightSamples() map[string]string {
	samples := map[string]string{
		"go": "func (s *Server) handle(w http.ResponseWriter, r *http.Request) {\n" +
			"\tctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)\n" +
			"\tdefer cancel()\n\tq := `SELECT {{.Name}} FROM t WHERE id = $1`\n" +
			"\titems, err := s.store.List(ctx, r.URL.Query().Get(\"cursor\"))\n" +
			"\tif err != nil {\n\t\thttp.Error(w, \"<b>unavailable</b>\", 503) // comment\n\t\treturn\n\t}\n" +
			"\t_ = json.NewEncoder(w).Encode(items) /* block */ ; _ = q; x := 0x1F + 3.5e-2\n}\n",
		"python": "@dataclass\nclass Item:\n    name: str = 'x'\n    n: int = 0\n\n" +
			"def handle(req, *args, **kw):\n    \"\"\"Docstring.\"\"\"\n" +
			"    items = [i for i in store.list(req.cursor) if i.n > 0x10]  # comment\n" +
			"    return {'items': items, 'f': f\"{len(items):>4}\"}\n",
		"javascript": "export async function load(url, { signal } = {}) {\n" +
			"  const res = await fetch(`${url}?q=${encodeURIComponent(q)}`, { signal });\n" +
			"  if (!res.ok) throw new Error('status ' + res.status); // comment\n" +
			"  return /^[a-z]+$/i.test(res.headers.get('x')) ? res.json() : null;\n}\n",
		"html": "<!doctype html>\n<html lang=\"en\">\n<head><style>\n.a > b { color: #fff; margin: 0 auto; }\n</style></head>\n" +
			"<body class=\"x\"><p>Hello &amp; <b>bye</b></p>\n<script>\nconst x = [1, 2, 3].map(n => n * 2);\nconsole.log(`x=${x}`);\n</script>\n</body></html>\n",
		"bash": "#!/usr/bin/env bash\nset -euo pipefail\nfor f in \"$@\"; do\n  if [[ -f $f ]]; then\n" +
			"    echo \"file: ${f##*/}\" | tr a-z A-Z > /dev/null 2>&1 # comment\n  fi\ndone\n",
		"markdown": "# Title\n\nSome *text* with `code` and [a link](https://x.org).\n\n```go\nfunc f() int { return 1 }\n```\n\n- item\n",
	}
	for lang, code := range samples {
		samples[lang] = strings.Repeat(code, 6<<10/len(code)+1) // ≈6 KB each
	}
	return samples
}

// TestHighlightDeterministicUnderLoad renders the same highlighted code
// from many goroutines on a starved scheduler: one P shared with goroutines
// that only spin. chroma gives every regular-expression match a wall-clock
// timeout; a match that is descheduled for longer fails silently and its
// text gets another class. Every output must equal the first.
func TestHighlightDeterministicUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("renders ≈1 MB of code on a starved scheduler")
	}
	r := New()
	samples := highlightSamples()
	var src strings.Builder
	for lang, code := range samples {
		src.WriteString("````" + lang + "\n" + code + "````\n\n") // four: markdown holds fences
	}
	want := r.RenderString(src.String())
	for lang := range samples {
		if !strings.Contains(want, `class="language-`+lang+`"><span class=`) {
			t.Fatalf("%s is not highlighted:\n%.300s", lang, want)
		}
	}

	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var stop atomic.Bool
	var spinners sync.WaitGroup
	defer func() { stop.Store(true); spinners.Wait() }()
	for range 8 {
		spinners.Go(func() {
			for !stop.Load() {
			}
		})
	}

	const renders = 32
	got := make([]string, renders)
	var wg sync.WaitGroup
	for i := range renders {
		wg.Go(func() { got[i] = r.RenderString(src.String()) })
	}
	wg.Wait()
	differ := 0
	for i, g := range got {
		if g != want {
			if differ == 0 {
				at := commonLen(g, want)
				t.Errorf("render %d differs at byte %d:\n got  %.200q\n want %.200q", i, at, g[max(at-40, 0):], want[max(at-40, 0):])
			}
			differ++
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d renders differ from the first", differ, renders)
	}
}

func commonLen(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// TestUntimedLexers uses every lexer in chroma's registry, so that all are
// compiled, and checks that no rule of any of them, or of the lexers they
// wrap, has a match timeout left, and that the extra state is gone. It fails
// if a chroma upgrade changed what untimed.go relies on.
func TestUntimedLexers(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles every chroma lexer")
	}
	if err := untimed(); err != nil {
		t.Fatal(err)
	}
	var check func(l chroma.Lexer)
	seen := map[chroma.Lexer]bool{}
	lexersSeen, rulesSeen := 0, 0
	check = func(l chroma.Lexer) {
		if l == nil || seen[l] {
			return
		}
		seen[l] = true
		if _, err := l.Tokenise(nil, "x = 1\n"); err != nil {
			t.Errorf("%s: %v", l.Config().Name, err)
			return
		}
		v := reflect.ValueOf(l).Elem()
		if rl, ok := l.(*chroma.RegexLexer); ok {
			rules, err := fieldOf[map[string][]*chroma.CompiledRule](reflect.ValueOf(rl).Elem(), "rules")
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := (*rules)[untimerState]; ok {
				t.Errorf("%s: state %q left", rl, untimerState)
			}
			lexersSeen++
			for state, rs := range *rules {
				for i, r := range rs {
					rulesSeen++
					if r.Regexp == nil || r.Regexp.MatchTimeout != regexp2.DefaultMatchTimeout {
						t.Fatalf("%s: rule %s.%d (%q) has a timeout", rl, state, i, r.Pattern)
					}
				}
			}
			return
		}
		for i := range v.NumField() {
			if f := v.Field(i); f.Type() == reflect.TypeFor[chroma.Lexer]() {
				check(*(*chroma.Lexer)(unsafe.Pointer(f.UnsafeAddr())))
			}
		}
	}
	for _, l := range lexers.GlobalLexerRegistry.Lexers {
		check(l)
	}
	t.Logf("%d lexers, %d rules: no timeouts", lexersSeen, rulesSeen)
	if lexersSeen < 250 {
		t.Errorf("only %d regex lexers found", lexersSeen)
	}
}
