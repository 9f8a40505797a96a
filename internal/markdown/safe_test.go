package markdown

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// checkSafe parses HTML as a browser's tokenizer does and returns an error
// for anything outside what this package may emit. It is written apart from
// the bluemonday policy, so that a mistake in one is caught by the other.
func checkSafe(s string) error {
	z := html.NewTokenizer(strings.NewReader(s))
	inCode := 0 // depth inside <pre class="chroma">
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return nil // io.EOF: the tokenizer reads from memory
		case html.CommentToken, html.DoctypeToken:
			return fmt.Errorf("%s token: %q", tt, z.Raw())
		case html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == "pre" && inCode > 0 {
				inCode--
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if err := checkTag(tok, inCode > 0); err != nil {
				return fmt.Errorf("%w in %q", err, tok.String())
			}
			if tok.Data == "pre" {
				inCode++
			}
		}
	}
}

var (
	safeTags = map[string]bool{
		"p": true, "br": true, "hr": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
		"blockquote": true, "pre": true, "code": true, "em": true, "strong": true, "b": true, "i": true,
		"del": true, "s": true, "sub": true, "sup": true, "kbd": true, "ul": true, "ol": true, "li": true,
		"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
		"details": true, "summary": true, "span": true, "button": true, "a": true, "img": true, "input": true,
	}
	chromaClass  = regexp.MustCompile(`^[a-z][a-z0-9]{0,3}$`)
	suggestClass = regexp.MustCompile(`^(suggestion|submit)( (suggestion|submit))?$`)
	langClass    = regexp.MustCompile(`^language-[A-Za-z0-9_+#.-]{1,40}$`)
	safeHref     = regexp.MustCompile(`^(https?://[^/?#\s]|mailto:.)`)
	safeSrc      = regexp.MustCompile(`^(https?://[^/?#\s]|data:image/(png|gif|jpeg|webp);base64,)`)
)

func checkTag(tok html.Token, inCode bool) error {
	if !safeTags[tok.Data] {
		return fmt.Errorf("element %s", tok.Data)
	}
	if tok.Data == "input" {
		// Only the two checkboxes this package writes.
		if s := tok.String(); s != `<input type="checkbox" disabled="">` && s != `<input type="checkbox" checked="" disabled="">` {
			return fmt.Errorf("input %s", s)
		}
		return nil
	}
	for _, a := range tok.Attr {
		ok := false
		switch a.Key {
		case "title":
			ok = true
		case "class":
			switch tok.Data {
			case "pre":
				ok = a.Val == "chroma"
			case "code":
				ok = langClass.MatchString(a.Val)
			case "span":
				ok = suggestClass.MatchString(a.Val) || inCode && chromaClass.MatchString(a.Val)
			case "a", "button", "li":
				ok = suggestClass.MatchString(a.Val)
			}
		case "href":
			ok = tok.Data == "a" && safeHref.MatchString(a.Val)
		case "rel":
			ok = tok.Data == "a" && (a.Val == "noreferrer noopener" || a.Val == "noreferrer")
		case "target":
			ok = tok.Data == "a" && a.Val == "_blank"
		case "src":
			ok = tok.Data == "img" && safeSrc.MatchString(a.Val)
		case "alt", "width", "height":
			ok = tok.Data == "img"
		case "start":
			ok = tok.Data == "ol"
		case "align":
			ok = tok.Data == "th" || tok.Data == "td"
		case "open":
			ok = tok.Data == "details"
		case "tabindex":
			ok = tok.Data == "code" && inCode && a.Val == "0" // a code block, scrollable by keyboard
		case "data-suggestion", "data-suggestion-submit":
			ok = tok.Data == "span" || tok.Data == "a" || tok.Data == "button" || tok.Data == "li" || tok.Data == "img"
		}
		if !ok {
			return fmt.Errorf("attribute %s=%q on %s", a.Key, a.Val, tok.Data)
		}
	}
	if tok.Data == "a" {
		// Every link that leaves the page opens apart from it.
		var href, rel, target string
		for _, a := range tok.Attr {
			switch a.Key {
			case "href":
				href = a.Val
			case "rel":
				rel = a.Val
			case "target":
				target = a.Val
			}
		}
		if strings.HasPrefix(href, "http") && (target != "_blank" || !strings.Contains(rel, "noopener") || !strings.Contains(rel, "noreferrer")) {
			return fmt.Errorf("link without target and rel")
		}
	}
	return nil
}
