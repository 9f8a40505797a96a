package chat_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sheenhq/sheen/chat"
)

var updateProvider = flag.Bool("update-provider", false, "rewrite the provider formats' golden files in testdata/provider")

var (
	pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") // enough for sniffing
	pdfBytes = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
	zipBytes = []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00")
)

var providerTests = []struct {
	name string
	msgs []chat.Message
}{
	{"conversation", []chat.Message{
		{Role: chat.System, Content: "You are terse."},
		{Role: chat.User, Content: "Hi"},
		{Role: chat.Assistant, Content: "Hello. **What** do you need?", Thinking: "The user greets me."},
		{Role: chat.User, Content: "A haiku."},
	}},
	{"leading assistant turns and scattered system messages", []chat.Message{
		{Role: chat.Assistant, Content: "Welcome! Ask me anything."},
		{Role: chat.System, Content: "Answer in French."},
		{Role: chat.Assistant, Content: "Second greeting."},
		{Role: chat.User, Content: "Bonjour"},
		{Role: chat.System, Content: "Be brief."},
		{Role: chat.Assistant, Content: "Salut."},
	}},
	{"skipped messages", []chat.Message{
		{Role: chat.User, Content: "first"},
		{Role: chat.User, Content: "second, same role"},
		{Role: chat.Assistant, Content: "", Status: chat.Failed, Error: "the model is down"},
		{Role: chat.Assistant, Content: "partial answ", Status: chat.Failed, Error: "connection lost"},
		{Role: "tool", Content: "42"},
		{Role: chat.System, Content: ""},
		{Role: chat.User, Content: "third"},
	}},
	{"attachments", []chat.Message{
		{Role: chat.User, Content: "What is in these?", Attachments: []chat.Attachment{
			{Name: "cat.png", MIME: "image/png", Data: pngBytes},
			{Name: "remote.jpg", MIME: "image/jpeg", URL: "https://example.com/remote.jpg"},
			{Name: "report.pdf", MIME: "application/pdf", Data: pdfBytes},
			{Name: "paper.pdf", URL: "https://example.com/paper.pdf"},
			{Name: "main.go", MIME: "text/x-go; charset=utf-8", Data: []byte("package main\n\nfunc main() {}\n")},
			{Name: "data.json", Data: []byte(`{"a": 1}`)},
			{Name: "archive.zip", MIME: "application/zip", Data: zipBytes},
		}},
		{Role: chat.Assistant, Content: "A cat, a report, some Go.", Attachments: []chat.Attachment{
			{Name: "ignored.png", MIME: "image/png", Data: pngBytes},
		}},
	}},
	{"attachments only and odd ones", []chat.Message{
		{Role: chat.User, Attachments: []chat.Attachment{
			{Name: `a "quoted" <name>.txt`, MIME: "text/plain", Data: []byte("hello\n")},
			{Name: "inline.png", URL: "data:image/png;base64,iVBORw0KGgo="},
			{Name: "note.txt", URL: "data:,hello%20world"},
			{Name: "broken.png", URL: "data:image/png;base64,***"},
			{Name: "ftp.png", URL: "ftp://example.com/x.png"},
			{Name: "logo.svg", MIME: "image/svg+xml", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
			{Name: "latin1.txt", MIME: "text/plain", Data: []byte("caf\xe9")},
			{Name: "empty.bin"},
			{Name: "remote.txt", URL: "https://example.com/notes.txt"},
		}},
	}},
}

// TestProviderFormats converts transcripts into both providers' message
// shapes and compares their JSON with golden files (go test ./chat -run
// ProviderFormats -update-provider rewrites them).
func TestProviderFormats(t *testing.T) {
	for _, tt := range providerTests {
		t.Run(tt.name, func(t *testing.T) {
			system, anthropic := chat.AnthropicMessages(tt.msgs)
			for _, f := range []struct {
				suffix string
				value  any
			}{
				{"openai", chat.OpenAIMessages(tt.msgs)},
				{"anthropic", map[string]any{"system": system, "messages": anthropic}},
			} {
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(f.value); err != nil {
					t.Fatal(err)
				}
				got := buf.Bytes()
				name := filepath.Join("testdata", "provider", strings.ReplaceAll(tt.name, " ", "_")+"."+f.suffix+".json")
				if *updateProvider {
					if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(name, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(name)
				if err != nil {
					t.Fatalf("%v (run with -update-provider to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs:\n%s", name, got)
				}
			}
		})
	}
}

// TestProviderRules checks the rules of each format on every golden case,
// so that a golden file written wrongly cannot hide a broken rule.
func TestProviderRules(t *testing.T) {
	for _, tt := range providerTests {
		t.Run(tt.name, func(t *testing.T) {
			_, msgs := chat.AnthropicMessages(tt.msgs)
			for i, m := range msgs {
				if i == 0 && m.Role != "user" {
					t.Errorf("Anthropic: the first message is %q", m.Role)
				}
				if m.Role != "user" && m.Role != "assistant" {
					t.Errorf("Anthropic: role %q", m.Role)
				}
				if len(m.Content) == 0 {
					t.Errorf("Anthropic: message %d has no content", i)
				}
				for _, b := range m.Content {
					if b.Type == "text" && b.Text == "" {
						t.Errorf("Anthropic: an empty text block in message %d", i)
					}
					if b.Type == "image" && m.Role != "user" {
						t.Errorf("Anthropic: an image in a %s message", m.Role)
					}
				}
			}
			for i, m := range chat.OpenAIMessages(tt.msgs) {
				if m.Role == "system" || m.Role == "assistant" {
					if m.Parts != nil {
						t.Errorf("OpenAI: %s message %d has parts", m.Role, i)
					}
				}
				if m.Parts == nil && m.Content == "" {
					t.Errorf("OpenAI: message %d is empty", i)
				}
			}
		})
	}
}

func TestProviderEmpty(t *testing.T) {
	if got := chat.OpenAIMessages(nil); len(got) != 0 {
		t.Errorf("OpenAIMessages(nil) = %v", got)
	}
	system, got := chat.AnthropicMessages([]chat.Message{{Role: chat.Assistant, Content: "only me"}})
	if system != "" || len(got) != 0 {
		t.Errorf("AnthropicMessages(assistant only) = %q, %v", system, got)
	}
	raw, _ := json.Marshal(chat.OpenAIMessages([]chat.Message{{Role: chat.User, Content: `quote " and <tag>`}}))
	if want := `[{"role":"user","content":"quote \" and \u003ctag\u003e"}]`; string(raw) != want { // json.Marshal escapes HTML
		t.Errorf("JSON = %s, want %s", raw, want)
	}
}

// FuzzProviderFormats: any attachment converts without a panic, into JSON.
func FuzzProviderFormats(f *testing.F) {
	f.Add("a.png", "image/png", pngBytes, "", "hi")
	f.Add("a.pdf", "", []byte(nil), "data:application/pdf;base64,JVBERi0=", "")
	f.Add("x", "text/plain; charset=\"", []byte("\xff\x00"), "data:;base64", "")
	f.Fuzz(func(t *testing.T, name, mime string, data []byte, url, text string) {
		msgs := []chat.Message{{Role: chat.User, Content: text, Attachments: []chat.Attachment{{Name: name, MIME: mime, Data: data, URL: url}}}}
		if _, err := json.Marshal(chat.OpenAIMessages(msgs)); err != nil {
			t.Fatal(err)
		}
		_, am := chat.AnthropicMessages(msgs)
		if _, err := json.Marshal(am); err != nil {
			t.Fatal(err)
		}
	})
}
