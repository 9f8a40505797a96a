package main

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // image sizes
	_ "image/jpeg"
	_ "image/png"
	"strings"
	"unicode/utf8"

	_ "golang.org/x/image/webp"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
)

// received is the offline responder's answer to a message with
// attachments: what arrived, as a model would have received it.
func received(text string, files []chat.Attachment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "I received **%d file(s)**", len(files))
	if strings.TrimSpace(text) != "" {
		b.WriteString(" with your message")
	}
	b.WriteString(". I am the offline responder, so I can only describe them; a vision model configured with `-model` would see them too.\n\n")
	b.WriteString("| File | Type | Size | What it holds |\n|---|---|---|---|\n")
	for _, f := range files {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(f.Name), cell(f.MIME), sheen.FormatBytes(int64(len(f.Data))), cell(describe(f)))
	}
	return b.String()
}

// describe says what is in a file: an image's size, a text's lines, a
// PDF's pages (roughly).
func describe(f chat.Attachment) string {
	switch {
	case strings.HasPrefix(f.MIME, "image/"):
		if cfg, format, err := image.DecodeConfig(bytes.NewReader(f.Data)); err == nil {
			return fmt.Sprintf("a %s image, %d × %d px", strings.ToUpper(format), cfg.Width, cfg.Height)
		}
		return "an image I cannot read"
	case f.MIME == "application/pdf":
		return fmt.Sprintf("a PDF of about %d page(s)", max(1, bytes.Count(f.Data, []byte("/Type /Page"))-bytes.Count(f.Data, []byte("/Type /Pages"))))
	case utf8.Valid(f.Data):
		lines := strings.Count(string(f.Data), "\n") + 1
		first, _, _ := strings.Cut(strings.TrimSpace(string(f.Data)), "\n")
		if utf8.RuneCountInString(first) > 40 {
			first = string([]rune(first)[:40]) + "…"
		}
		return fmt.Sprintf("%d line(s) of text, starting “%s”", lines, first)
	}
	return "bytes I cannot read"
}

// cell makes s safe in a markdown table cell.
func cell(s string) string {
	s = strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ", "`", "'", "*", "\\*", "_", "\\_", "<", "&lt;", "[", "\\[").Replace(s)
	return s
}
