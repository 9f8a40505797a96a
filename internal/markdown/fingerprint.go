package markdown

import (
	"crypto/sha256"
	"encoding/hex"
)

// version names the rendering rules of this package. Bump it whenever a
// change makes the same markdown render differently; [Renderer.Fingerprint]
// also changes by itself for most such changes (it renders a sample).
const version = "2"

// fingerprintSample exercises what the rendering depends on: goldmark's
// parsing, the sanitizer's policy, the code highlighter's lexers and the
// markup this package adds.
const fingerprintSample = "# Heading *em* **strong** `code`\n\n" +
	"Text with a [link](https://example.com \"title\"), an autolink https://example.org, ~~strike~~ and a footnote-like [x].\n\n" +
	"- item\n- [ ] task\n- [x] done\n\n1. one\n2. two\n\n> quote\n\n" +
	"| a | b |\n|:--|--:|\n| 1 | 2 |\n\n" +
	"```go\nfunc main() { fmt.Println(\"hi\", 42) } // comment\n```\n\n" +
	"```python\ndef f(x):\n    return [i ** 2 for i in range(x)]\n```\n\n" +
	"```js\nconst f = async (a) => { await g(`t${a}`); };\n```\n\n" +
	"```\nplain\n```\n\n" +
	"<span class=\"suggestion submit\">Suggest</span> <details><summary>s</summary>d</details> <kbd>K</kbd> H<sub>2</sub>O x<sup>2</sup>\n\n" +
	"<img src=x onerror=alert(1)><script>alert(1)</script><a href=\"javascript:alert(1)\">j</a>\n\n" +
	"Line one  \nline two\n\n---\n\n    indented code\n"

// Fingerprint identifies how this renderer renders: the same fingerprint
// means the same markdown gives the same HTML. Stores keep it beside
// rendered HTML, which they may reuse only while the fingerprint matches.
func (r *Renderer) Fingerprint() string {
	r.fpOnce.Do(func() {
		h := sha256.New()
		h.Write([]byte(version))
		h.Write([]byte{0})
		h.Write(r.Render(nil, []byte(fingerprintSample)))
		r.fp = hex.EncodeToString(h.Sum(nil))[:16]
	})
	return r.fp
}
