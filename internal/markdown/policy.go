package markdown

import (
	"net/url"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// The allowlist. Everything not named here is removed: elements (their text
// is kept, except for script, style, iframe, object and the like, whose
// content goes too), attributes, comments and URLs with other schemes.
var (
	// Elements kept without attributes: what markdown produces plus the few
	// raw-HTML elements a chat reply uses.
	allowedElements = []string{
		"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
		"blockquote", "pre", "code", "em", "strong", "b", "i", "del", "s",
		"sub", "sup", "kbd", "ul", "ol", "li",
		"table", "thead", "tbody", "tr", "th", "td",
		"details", "summary", "span", "button",
	}

	// The suggestion classes, alone or together, and nothing else.
	suggestionClass = regexp.MustCompile(`^(suggestion|submit)( (suggestion|submit))?$`)
	// Links: absolute http(s) or mailto. Relative URLs would point into the
	// application itself, so they are removed too.
	linkURL = regexp.MustCompile(`^(?i)(https?://|mailto:)`)
	// Images: absolute http(s), or inline raster images (never SVG, which is
	// a document that can hold script).
	imageURL = regexp.MustCompile(`^(?i)(https?://|data:image/(png|gif|jpeg|webp);base64,)`)
	// Small non-negative integers (list start numbers, image sizes).
	smallInt   = regexp.MustCompile(`^[0-9]{1,9}$`)
	pixelCount = regexp.MustCompile(`^[0-9]{1,4}$`)
	alignment  = regexp.MustCompile(`^(left|right|center)$`)
	// data-suggestion-submit is a flag: empty, "true" or "false".
	flagValue = regexp.MustCompile(`^(|true|false)$`)
	openValue = regexp.MustCompile(`^(|open)$`)
)

// newPolicy returns the sanitizer every fragment goes through. It is safe for
// concurrent use once built.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements(allowedElements...)

	p.AllowAttrs("href").Matching(linkURL).OnElements("a")
	p.AllowAttrs("src").Matching(imageURL).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(pixelCount).OnElements("img")
	p.AllowAttrs("start").Matching(smallInt).OnElements("ol")
	p.AllowAttrs("align").Matching(alignment).OnElements("th", "td")
	p.AllowAttrs("open").Matching(openValue).OnElements("details")
	p.AllowAttrs("title").Globally()

	// The chat's suggestion feature.
	p.AllowAttrs("class").Matching(suggestionClass).OnElements("span", "a", "button", "li")
	p.AllowAttrs("data-suggestion").OnElements("span", "a", "button", "li", "img")
	p.AllowAttrs("data-suggestion-submit").Matching(flagValue).OnElements("span", "a", "button", "li", "img")

	// URL schemes are checked after the attribute patterns above, which
	// already confine data: to images. An http(s) URL needs a host:
	// "https:" alone would resolve against the page, as a relative link.
	hasHost := func(u *url.URL) bool { return u.Host != "" }
	p.AllowURLSchemeWithCustomPolicy("http", hasHost)
	p.AllowURLSchemeWithCustomPolicy("https", hasHost)
	p.AllowURLSchemeWithCustomPolicy("mailto", func(u *url.URL) bool { return u.Opaque != "" })
	p.AllowDataURIImages()
	p.AllowRelativeURLs(false)

	// Every link opens in a new browsing context that cannot reach back.
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}
