package chat

import (
	"fmt"
	"mime"
	"strings"
)

// DefaultAttachmentTypes are the types [AllowAttachments] accepts when it is
// given none: the images, documents and text that chat models take.
var DefaultAttachmentTypes = []string{
	"image/png", "image/jpeg", "image/gif", "image/webp",
	"application/pdf",
	"text/plain", "text/markdown", "text/csv", "application/json",
}

// DefaultMaxAttachmentBytes is the default total size of the attachments of
// one submission: what fits, base64-encoded, in the default 1 MiB frame a
// page may send (see sheen.WithMaxFrame; raise both together).
const DefaultMaxAttachmentBytes = 700 << 10

// AllowAttachments lets submissions carry attachments of the given MIME
// types ("image/*" matches every image type); with no types, those of
// [DefaultAttachmentTypes]. Without it a chat takes no attachments: a
// page that sends some anyway has them dropped (and logged), so an app
// never forwards files to a model it did not mean to. Give it to [New]: the
// server decides.
func AllowAttachments(types ...string) Option {
	if len(types) == 0 {
		types = DefaultAttachmentTypes
	}
	types = append([]string(nil), types...)
	return func(c *config) { c.attachTypes = types }
}

// MaxAttachmentBytes sets the largest total size, in bytes, of the
// attachments of one submission (default [DefaultMaxAttachmentBytes]).
func MaxAttachmentBytes(n int64) Option { return func(c *config) { c.attachMax = max(n, 0) } }

// acceptAttachments returns the attachments of a submission that the
// chat's policy takes, and why it refused the others. Attachments are taken
// in order until the total size would pass the limit.
func (cfg *config) acceptAttachments(as []Attachment) (kept []Attachment, refused []string) {
	var total int64
	for _, a := range as {
		why := ""
		switch {
		case cfg.attachTypes == nil:
			why = "this chat takes no attachments"
		case !typeAllowed(cfg.attachTypes, a.MIME):
			why = fmt.Sprintf("type %q is not accepted", a.MIME)
		case a.URL != "":
			why = "a page cannot attach by URL"
		case total+int64(len(a.Data)) > cfg.attachMax:
			why = fmt.Sprintf("over the %d-byte limit", cfg.attachMax)
		}
		if why != "" {
			refused = append(refused, fmt.Sprintf("%q: %s", a.Name, why))
			continue
		}
		total += int64(len(a.Data))
		kept = append(kept, a)
	}
	return kept, refused
}

// typeAllowed reports whether the MIME type t (its parameters aside)
// matches one of the patterns: an exact type or "major/*".
func typeAllowed(patterns []string, t string) bool {
	mt, _, err := mime.ParseMediaType(t)
	if err != nil {
		return false
	}
	major, _, _ := strings.Cut(mt, "/")
	for _, p := range patterns {
		p = strings.ToLower(p)
		if p == mt || strings.HasSuffix(p, "/*") && strings.TrimSuffix(p, "/*") == major {
			return true
		}
	}
	return false
}
