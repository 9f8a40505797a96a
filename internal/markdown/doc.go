// Package markdown renders the markdown that a language model writes into
// HTML that a browser may show: GitHub-flavoured markdown parsed by goldmark,
// code coloured by chroma with CSS classes, and every fragment passed through
// a bluemonday allowlist built for chat messages.
//
// A [Renderer] is built once with [New] and is safe for concurrent use. It
// renders a whole text with [Renderer.Render], and a growing one, chunk by
// chunk, with a [Stream] from [Renderer.NewStream]. A stream sends only what
// changed: each top-level block is rendered and sanitized once, when the text
// after it proves that it is complete, and only the open block at the end is
// rendered again. [View] is the reference for how a client applies what a
// stream sends; the final HTML always equals [Renderer.Render] of the whole
// text.
//
// Model output is never trusted: raw HTML in the markdown is parsed only so
// that the sanitizer can keep a small safe subset of it (suggestion links,
// details and summary, kbd, sub and sup). The only markup this package adds
// after sanitizing is its own: highlighted code blocks and the disabled
// checkboxes of task lists.
//
// docs/markdown.md describes the pipeline, the policy, the streaming algorithm
// and its measured cost.
package markdown
