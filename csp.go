package sheen

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sort"

	"golang.org/x/net/html"
)

// DefaultCSP is the Content-Security-Policy sheen sends with the page,
// before the hashes of the page's own inline styles are added to style-src.
// Scripts come only from the app's origin (the client's modules), so an
// inline script that slipped into the page (say, model output past the
// sanitizer) does not run; 'self' in connect-src covers the page's
// same-origin WebSocket (ws: and wss: on the page's host, CSP Level 3).
// Images may also be data: and blob: URLs: the thumbnails of attachments
// (made by the server, or by the page of the user's own files); neither
// can reach another site.
const DefaultCSP = "default-src 'self'; script-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'"

// WithCSP sets the Content-Security-Policy header of the page. The default
// is [DefaultCSP] with a style-src allowing the app's stylesheets and, by
// hash, the <style> elements and style attributes of the page as built
// ('unsafe-hashes' for the attributes: 'unsafe-inline' is never needed). A
// policy given here is sent as is; "" sends none.
func WithCSP(policy string) Option {
	return func(c *config) { c.csp, c.cspSet = policy, true }
}

// pageCSP returns the policy for the rendered page.
func (a *App) pageCSP(page []byte) string {
	if a.cfg.cspSet {
		return a.cfg.csp
	}
	elems, attrs := inlineStyles(page)
	style := "style-src 'self'"
	if len(attrs) > 0 {
		style += " 'unsafe-hashes'"
	}
	for _, h := range append(elems, attrs...) {
		style += " '" + h + "'"
	}
	return DefaultCSP + "; " + style
}

// inlineStyles returns the sha256 sources of the <style> elements and of the
// style attributes in page, sorted and without repeats.
func inlineStyles(page []byte) (elems, attrs []string) {
	seen := map[string]bool{}
	add := func(list *[]string, s string) {
		sum := sha256.Sum256([]byte(s))
		h := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
		if !seen[h] {
			seen[h] = true
			*list = append(*list, h)
		}
	}
	z := html.NewTokenizer(bytes.NewReader(page))
	inStyle := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			sort.Strings(elems)
			sort.Strings(attrs)
			return elems, attrs
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			inStyle = string(name) == "style"
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if string(k) == "style" {
					add(&attrs, string(v))
				}
			}
		case html.TextToken:
			if inStyle {
				add(&elems, string(z.Raw()))
			}
		case html.EndTagToken:
			inStyle = false
		}
	}
}

// statusStyle is the stylesheet of the small status pages (statusPage).
const statusStyle = `body{margin:0;min-height:100vh;display:grid;place-items:center;font:16px/1.5 system-ui,sans-serif;background:#f7f7f8;color:#1f2328}main{max-width:28rem;padding:2rem;text-align:center}h1{font-size:1.5rem;margin:0 0 .5rem}p{margin:0 0 1.25rem;color:#59636e}a{display:inline-block;padding:.5rem 1rem;border-radius:.5rem;background:#0b57d0;color:#fff;text-decoration:none}a:focus-visible{outline:2px solid #0b57d0;outline-offset:2px}@media (prefers-color-scheme:dark){body{background:#17181a;color:#e6e7e9}p{color:#9aa0a6}a{background:#8ab4f8;color:#111}}`

// statusCSP allows the status pages nothing but their own stylesheet.
var statusCSP = func() string {
	sum := sha256.Sum256([]byte(statusStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; frame-ancestors 'self'; form-action 'none'"
}()

// plainCSP is the policy of sheen's plain-text answers (404, 403, …).
const plainCSP = "default-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'none'"

// setSecurityHeaders sets the headers of every answer that is not the page
// or an asset.
func (a *App) setSecurityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	if !a.cfg.cspSet || a.cfg.csp != "" {
		h.Set("Content-Security-Policy", plainCSP)
	}
}

// notFound answers 404 with the security headers.
func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	a.setSecurityHeaders(w.Header())
	http.NotFound(w, r)
}
