package chat_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"slices"
	"strings"
	"testing"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
)

func TestAttachmentPolicy(t *testing.T) {
	png := chat.Attachment{Name: "a.png", MIME: "image/png", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}
	fakePNG := chat.Attachment{Name: "b.png", MIME: "image/png", Data: []byte("not a PNG at all")}
	pngAsPDF := chat.Attachment{Name: "c.pdf", MIME: "application/pdf", Data: png.Data}
	big := chat.Attachment{Name: "big.png", MIME: "image/png", Data: make([]byte, 2000)}
	exe := chat.Attachment{Name: "x.exe", MIME: "application/x-msdownload", Data: []byte("MZ")}
	remote := chat.Attachment{Name: "r.png", MIME: "image/png", URL: "https://example.com/r.png"}
	txt := chat.Attachment{Name: "n.txt", MIME: "text/plain; charset=utf-8", Data: []byte("hi")}
	tests := []struct {
		name    string
		opts    []chat.Option
		text    string
		send    []chat.Attachment
		files   []string // upload ids
		want    []string // names the handler gets; nil: the handler does not run
		refused int      // attachments named in the notice
	}{
		{name: "no policy drops them", text: "hi", send: []chat.Attachment{png}, want: []string{}, refused: 1},
		{name: "no policy, no text: nothing runs", send: []chat.Attachment{png}, refused: 1},
		{name: "defaults take an image", opts: []chat.Option{chat.AllowAttachments()}, text: "hi", send: []chat.Attachment{png}, want: []string{"a.png"}},
		{name: "attachments alone are a submission", opts: []chat.Option{chat.AllowAttachments()}, send: []chat.Attachment{png}, want: []string{"a.png"}},
		{name: "type parameters are ignored", opts: []chat.Option{chat.AllowAttachments()}, text: "x", send: []chat.Attachment{txt}, want: []string{"n.txt"}},
		{name: "type not allowed", opts: []chat.Option{chat.AllowAttachments()}, text: "x", send: []chat.Attachment{exe, png}, want: []string{"a.png"}, refused: 1},
		{name: "wildcard", opts: []chat.Option{chat.AllowAttachments("image/*")}, text: "x", send: []chat.Attachment{png, txt}, want: []string{"a.png"}, refused: 1},
		{name: "no URLs from a page", opts: []chat.Option{chat.AllowAttachments()}, text: "x", send: []chat.Attachment{remote}, want: []string{}, refused: 1},
		{name: "many refused: the notice names five", text: "x", send: slices.Repeat([]chat.Attachment{exe}, 40), want: []string{}, refused: 40},
		{name: "content must agree with the type", opts: []chat.Option{chat.AllowAttachments()}, text: "x", send: []chat.Attachment{fakePNG, pngAsPDF, png}, want: []string{"a.png"}, refused: 2},
		{name: "count limit", opts: []chat.Option{chat.AllowAttachments(), chat.MaxAttachments(2)}, text: "x", send: []chat.Attachment{png, png, png}, want: []string{"a.png", "a.png"}, refused: 1},
		{name: "file size limit", opts: []chat.Option{chat.AllowAttachments(), chat.MaxAttachmentFile(100)}, text: "x", send: []chat.Attachment{big, png}, want: []string{"a.png"}, refused: 1},
		{name: "unknown upload ids", opts: []chat.Option{chat.AllowAttachments()}, text: "x", files: []string{"f_nope", "../../etc/passwd"}, want: []string{}, refused: 2},
		{name: "upload ids without a policy", files: []string{"f_x"}, refused: 1},
		{name: "total size limit", opts: []chat.Option{chat.AllowAttachments(), chat.MaxAttachmentBytes(1000)}, text: "x", send: []chat.Attachment{png, big, txt}, want: []string{"a.png", "n.txt"}, refused: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan []string, 1)
			base := newApp(t, func(s *sheen.Session) {
				c := chat.New(s, "chat", tt.opts...)
				c.OnUserSubmit(func(ctx context.Context, in chat.Input) error {
					names := []string{}
					for _, a := range in.Attachments {
						names = append(names, a.Name)
					}
					got <- names
					return c.AppendMessage(ctx, "ok")
				})
			})
			p := open(t, base)
			p.Next("reset")
			p.Send("submit", map[string]any{"text": tt.text, "attachments": tt.send, "files": tt.files})
			if tt.refused > 0 {
				n := p.Notice()
				prefix := fmt.Sprintf("%d attachment(s) not accepted", tt.refused)
				if n.Level != sheen.LevelWarning || !strings.HasPrefix(n.Message, prefix) || strings.Count(n.Message, `"`) > 2*5 {
					t.Errorf("notice = %+v", n)
				}
			}
			if tt.want == nil {
				if d := p.Next("busy"); d["busy"] != false {
					t.Fatalf("busy = %v, want false (the page must unlock)", d)
				}
				select {
				case names := <-got:
					t.Fatalf("the handler ran with %v", names)
				default:
				}
				return
			}
			names := <-got
			if strings.Join(names, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("handler got %v, want %v", names, tt.want)
			}
			p.Next("append")
			p.Idle()
		})
	}
}

// The app's own messages may carry files too: images get a thumbnail, other
// files a chip, as the page shows them.
func TestAppendedAttachmentsShow(t *testing.T) {
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 600, 300))); err != nil {
		t.Fatal(err)
	}
	base := newApp(t, func(s *sheen.Session) {
		c := chat.New(s, "chat")
		go func() {
			_ = c.AppendMessage(s.Context(), chat.Message{Content: "Here is the chart.", Attachments: []chat.Attachment{
				{Name: "chart.png", MIME: "image/png", Data: img.Bytes()},
				{Name: "data.csv", MIME: "text/csv", Data: []byte("a,b\n")},
			}})
		}()
	})
	p := open(t, base)
	d := p.Next("append")
	m, _ := d["message"].(map[string]any)
	files, _ := m["files"].([]any)
	if len(files) != 2 {
		t.Fatalf("files = %v", m["files"])
	}
	f0, f1 := files[0].(map[string]any), files[1].(map[string]any)
	thumb, _ := f0["thumb"].(string)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(thumb, "data:image/jpeg;base64,"))
	if err != nil || !strings.HasPrefix(thumb, "data:image/jpeg;base64,") {
		t.Fatalf("thumb = %.60q", thumb)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(raw))
	if err != nil || cfg.Width != 240 || cfg.Height != 120 {
		t.Errorf("thumbnail %dx%d, %v; want 240x120", cfg.Width, cfg.Height, err)
	}
	if f0["name"] != "chart.png" || f0["type"] != "image/png" || f0["size"] != float64(img.Len()) {
		t.Errorf("image file = %v", f0)
	}
	if f1["name"] != "data.csv" || f1["type"] != "text/csv" || f1["size"] != float64(4) || f1["thumb"] != nil {
		t.Errorf("csv file = %v", f1)
	}
}
