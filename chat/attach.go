package chat

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/gif" // thumbnails of GIFs
	"image/jpeg"
	_ "image/png" // thumbnails of PNGs
	"slices"
	"strings"

	"go.uber.org/zap"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // thumbnails of WebP images

	"github.com/sheenhq/sheen"
)

// DefaultAttachmentTypes are the types [AllowAttachments] accepts when it is
// given none: the images, documents and text that chat models take.
var DefaultAttachmentTypes = []string{
	"image/png", "image/jpeg", "image/gif", "image/webp",
	"application/pdf",
	"text/plain", "text/markdown", "text/csv", "application/json",
}

// Attachment limits (see [MaxAttachmentBytes], [MaxAttachmentFile] and
// [MaxAttachments]).
const (
	// DefaultMaxAttachmentBytes is the default total size of the
	// attachments of one submission. Files travel over HTTP to the chat's
	// upload endpoint; attachments sent inside the submit event itself are
	// bounded by the WebSocket's frame limit too (see sheen.WithMaxFrame).
	DefaultMaxAttachmentBytes = sheen.DefaultMaxUploadTotal
	// DefaultMaxAttachmentFile is the default size limit of one file.
	DefaultMaxAttachmentFile = sheen.DefaultMaxUploadFile
	// DefaultMaxAttachments is the default number of files of one submission.
	DefaultMaxAttachments = sheen.DefaultMaxUploads
	// MaxImageEdge is the longest edge, in pixels, the page scales images
	// down to before uploading them (unless [KeepOriginalImages]).
	MaxImageEdge = 1568
	// thumbEdge is the longest edge of the thumbnails shown in messages.
	thumbEdge = 240
)

// AllowAttachments lets submissions carry attachments of the given MIME
// types ("image/*" matches every image type); with no types, those of
// [DefaultAttachmentTypes]. The page then has an attach button, takes
// pasted images and long pasted text, and files dropped on the chat; it
// uploads them to the session's upload endpoint (see
// sheen.Session.AcceptUploads) and the submission refers to them by id.
// The server checks every file: its type against the list (and its content
// against its type), its size against the limits. Without this option a
// chat takes no attachments: a page that sends some anyway has them dropped
// (and logged), so an app never forwards files to a model it did not mean
// to. Give it to [New] and [UI]: the server decides.
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

// MaxAttachmentFile sets the largest attachment, in bytes (default
// [DefaultMaxAttachmentFile]).
func MaxAttachmentFile(n int64) Option { return func(c *config) { c.attachFile = max(n, 0) } }

// MaxAttachments sets how many files one submission may carry (default
// [DefaultMaxAttachments]).
func MaxAttachments(n int) Option { return func(c *config) { c.attachCount = max(n, 0) } }

// KeepOriginalImages makes the page upload images as they are, instead of
// scaling them down to [MaxImageEdge] pixels on the long edge (what vision
// models take; larger images cost upload time and tokens for nothing).
func KeepOriginalImages() Option { return func(c *config) { c.attachOriginal = true } }

// acceptAttachments returns the attachments of a submission that the
// chat's policy takes, and why it refused the others. Attachments are taken
// in order until the total size or count would pass the limit. Attachments
// with bytes have their content checked against their type.
func (cfg *config) acceptAttachments(as []Attachment) (kept []Attachment, refused []string) {
	var total int64
	for _, a := range as {
		size := int64(len(a.Data))
		why := ""
		switch {
		case cfg.attachTypes == nil:
			why = "this chat takes no attachments"
		case !typeAllowed(cfg.attachTypes, a.MIME):
			why = fmt.Sprintf("type %q is not accepted", a.MIME)
		case a.URL != "":
			why = "a page cannot attach by URL"
		case size > cfg.fileLimit():
			why = fmt.Sprintf("over the %d-byte file limit", cfg.fileLimit())
		case total+size > cfg.attachMax:
			why = fmt.Sprintf("over the %d-byte limit", cfg.attachMax)
		case len(kept) >= cfg.countLimit():
			why = fmt.Sprintf("more than %d files", cfg.countLimit())
		default:
			if err := sheen.CheckFileType(cfg.attachTypes, a.Name, a.MIME, a.Data[:min(len(a.Data), 512)]); err != nil {
				why = err.Error()
			}
		}
		if why != "" {
			refused = append(refused, fmt.Sprintf("%q: %s", a.Name, why))
			continue
		}
		total += size
		a.Name = sheen.CleanFileName(a.Name)
		a.Size = size
		kept = append(kept, a)
	}
	return kept, refused
}

func (cfg *config) fileLimit() int64 {
	if cfg.attachFile <= 0 {
		return DefaultMaxAttachmentFile
	}
	return cfg.attachFile
}

func (cfg *config) countLimit() int {
	if cfg.attachCount <= 0 {
		return DefaultMaxAttachments
	}
	return cfg.attachCount
}

// typeAllowed reports whether the MIME type t (its parameters aside)
// matches one of the patterns: an exact type or "major/*".
func typeAllowed(patterns []string, t string) bool { return sheen.TypeAllowed(patterns, t) }

// openUploads opens the chat's upload endpoint and tells the page how to
// use it. Turn.
func (c *Chat) openUploads() {
	if c.cfg.attachTypes == nil {
		return
	}
	c.up = c.s.AcceptUploads(c.id, sheen.UploadLimits{Types: c.cfg.attachTypes, MaxFile: c.cfg.fileLimit(),
		MaxTotal: c.cfg.attachMax, MaxFiles: c.cfg.countLimit()})
	c.send("attach", map[string]any{
		"url": c.up.URL(), "token": c.up.Token(), "types": c.cfg.attachTypes,
		"maxFile": c.cfg.fileLimit(), "maxTotal": c.cfg.attachMax, "maxFiles": c.cfg.countLimit(),
		"maxEdge": map[bool]int{false: MaxImageEdge, true: 0}[c.cfg.attachOriginal],
	})
}

// takeUploads reads the uploads a submission names into attachments, in
// order, and removes their files. Off the turn: files may be large.
func (c *Chat) takeUploads(ids []string, inline []Attachment) (as []Attachment, refused []string) {
	var total int64
	for _, a := range inline {
		total += int64(len(a.Data))
	}
	for i, id := range ids {
		if i >= 64 { // a hostile page may name thousands
			refused = append(refused, fmt.Sprintf("%d more files", len(ids)-i))
			break
		}
		if c.up == nil {
			refused = append(refused, fmt.Sprintf("%q: this chat takes no attachments", id))
			continue
		}
		f, ok := c.up.Take(id)
		if !ok {
			refused = append(refused, fmt.Sprintf("%q: no such upload", id))
			continue
		}
		data, err := f.ReadAll()
		f.Remove()
		switch {
		case err != nil:
			c.log.Error("chat: upload unreadable", zap.String("name", f.Name), zap.Error(err))
			refused = append(refused, fmt.Sprintf("%q: could not be read", f.Name))
			continue
		case len(inline)+len(as) >= c.cfg.countLimit():
			refused = append(refused, fmt.Sprintf("%q: more than %d files", f.Name, c.cfg.countLimit()))
			continue
		case total+int64(len(data)) > c.cfg.attachMax:
			refused = append(refused, fmt.Sprintf("%q: over the %d-byte limit", f.Name, c.cfg.attachMax))
			continue
		}
		total += int64(len(data))
		as = append(as, Attachment{Name: f.Name, MIME: f.MIME, Data: data, Size: int64(len(data))})
	}
	return as, refused
}

// withThumbs adds a thumbnail to every image attachment that has none.
func withThumbs(as []Attachment) []Attachment {
	for i := range as {
		if as[i].thumb == "" && strings.HasPrefix(mediaType(as[i].MIME), "image/") && len(as[i].Data) > 0 {
			as[i].thumb = thumbnail(as[i].Data)
		}
	}
	return as
}

// thumbsFor gives the image attachments of a Message appended by the app
// their thumbnails (made here, on the caller's goroutine, not in the
// conversation's lock).
func thumbsFor(content any) any {
	switch m := content.(type) {
	case Message:
		if len(m.Attachments) > 0 {
			m.Attachments = withThumbs(slices.Clone(m.Attachments))
		}
		return m
	case *Message:
		if m != nil && len(m.Attachments) > 0 {
			mc := *m
			mc.Attachments = withThumbs(slices.Clone(m.Attachments))
			return mc
		}
	}
	return content
}

// thumbnail returns a small JPEG of an image as a data: URL, "" if the
// image cannot be read (or is too large to decode safely).
func thumbnail(data []byte) string {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > 50_000_000 {
		return ""
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return ""
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > thumbEdge || h > thumbEdge {
		if w >= h {
			w, h = thumbEdge, max(1, h*thumbEdge/w)
		} else {
			w, h = max(1, w*thumbEdge/h), thumbEdge
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src) // transparency shows white
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	var out bytes.Buffer
	if jpeg.Encode(&out, dst, &jpeg.Options{Quality: 80}) != nil {
		return ""
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(out.Bytes())
}

// wireFile is an attachment as the page shows it in a message: a
// thumbnail for an image, a chip for any other file.
type wireFile struct {
	Name  string `json:"name"`
	MIME  string `json:"type"`
	Size  int64  `json:"size"`
	Thumb string `json:"thumb,omitempty"`
}

func wireFiles(as []Attachment) []wireFile {
	var fs []wireFile
	for _, a := range as {
		size := a.Size
		if size == 0 {
			size = int64(len(a.Data))
		}
		fs = append(fs, wireFile{Name: a.Name, MIME: mediaType(a.MIME), Size: size, Thumb: a.thumb})
	}
	return fs
}
