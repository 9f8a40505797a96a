package chat

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"
)

// Provider formats: the transcript as the message shapes of OpenAI's chat
// completions API and Anthropic's messages API, as plain values an app hands
// to its SDK or marshals itself. docs/chat.md ("Tokens and models") lists the
// rules each follows.

// OpenAIMessage is a message of OpenAI's chat completions API (and of the
// servers that speak it: Ollama, vLLM, llama.cpp, LM Studio…). Its JSON form
// has "content" as a string, or as an array of parts when Parts is set.
type OpenAIMessage struct {
	Role    string       // "system", "user", "assistant" or "tool"
	Content string       // the text, when Parts is nil
	Parts   []OpenAIPart // a user message with attachments: its parts, text included
	// ToolCalls are an assistant message's calls; ToolCallID is the call a
	// "tool" message answers (toolcall.go).
	ToolCalls  []OpenAIToolCall
	ToolCallID string
}

// OpenAIToolCall is a call in an assistant message: Type "function".
type OpenAIToolCall struct {
	ID       string             `json:"id"`
	Type     string             `json:"type"`
	Function OpenAIFunctionCall `json:"function"`
}

// OpenAIFunctionCall is the function a call calls; Arguments is the JSON
// text the model wrote.
type OpenAIFunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// MarshalJSON encodes m as the API expects it.
func (m OpenAIMessage) MarshalJSON() ([]byte, error) {
	var v any = struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}{m.Role, m.Content}
	if m.Parts != nil {
		v = struct {
			Role    string       `json:"role"`
			Content []OpenAIPart `json:"content"`
		}{m.Role, m.Parts}
	}
	if m.ToolCalls != nil || m.ToolCallID != "" {
		var content *string // null for an assistant message with calls and no text
		if m.Content != "" || m.ToolCallID != "" {
			content = &m.Content
		}
		v = struct {
			Role       string           `json:"role"`
			Content    *string          `json:"content"`
			ToolCalls  []OpenAIToolCall `json:"tool_calls,omitempty"`
			ToolCallID string           `json:"tool_call_id,omitempty"`
		}{m.Role, content, m.ToolCalls, m.ToolCallID}
	}
	// No HTML escaping: the text is a prompt, not a web page (an encoder
	// that wants it escapes the result itself).
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// OpenAIPart is one content part of a user message: "text", "image_url" (an
// image, as a data URL or a URL) or "file" (a PDF, as a data URL).
type OpenAIPart struct {
	Type     string          `json:"type"`
	Text     string          `json:"text,omitempty"`
	ImageURL *OpenAIImageURL `json:"image_url,omitempty"`
	File     *OpenAIFile     `json:"file,omitempty"`
}

// OpenAIImageURL is the image of an "image_url" part.
type OpenAIImageURL struct {
	URL string `json:"url"`
}

// OpenAIFile is the file of a "file" part.
type OpenAIFile struct {
	Filename string `json:"filename,omitempty"`
	FileData string `json:"file_data"` // a data URL: data:application/pdf;base64,…
}

// OpenAIMessages converts a transcript (for instance what
// [Chat.MessagesWithin] returns) into OpenAI chat completions messages.
//
// System, user and assistant messages are kept in order; messages of other
// roles, and messages with neither text nor attachments (a reply that failed
// before its first word), are left out. Thinking is never sent. A user
// message's attachments become parts before its text: images (PNG, JPEG,
// GIF, WebP) as "image_url" parts, PDFs as "file" parts, text files (text/*,
// JSON, XML, YAML…) as text parts wrapped in <file name="…"> tags, and
// anything else as a short text note saying the file was not included.
// Attachments of other roles are dropped. An assistant message with tool
// calls becomes, for each round of calls, an assistant message with the
// text written before them and the calls, then one "tool" message per call
// with its result (an error result says so), and then a message with the
// rest of the text.
func OpenAIMessages(msgs []Message) []OpenAIMessage {
	out := make([]OpenAIMessage, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		if !sendable(m) {
			continue
		}
		if m.Role == Assistant && len(m.ToolCalls) > 0 {
			for _, s := range segments(m) {
				am := OpenAIMessage{Role: "assistant", Content: s.text}
				for _, t := range s.calls {
					am.ToolCalls = append(am.ToolCalls, OpenAIToolCall{ID: t.ID, Type: "function", Function: OpenAIFunctionCall{Name: t.Name, Arguments: t.Args}})
				}
				out = append(out, am)
				for _, t := range s.calls {
					out = append(out, OpenAIMessage{Role: "tool", ToolCallID: t.ID, Content: t.modelResult()})
				}
			}
			continue
		}
		om := OpenAIMessage{Role: string(m.Role), Content: m.Content}
		if m.Role == User && len(m.Attachments) > 0 {
			om.Parts = make([]OpenAIPart, 0, len(m.Attachments)+1)
			for _, a := range m.Attachments {
				om.Parts = append(om.Parts, openAIPart(readAttachment(a)))
			}
			if m.Content != "" {
				om.Parts = append(om.Parts, OpenAIPart{Type: "text", Text: m.Content})
			}
		}
		out = append(out, om)
	}
	return out
}

func openAIPart(p part) OpenAIPart {
	switch p.kind {
	case partImage:
		return OpenAIPart{Type: "image_url", ImageURL: &OpenAIImageURL{URL: p.href()}}
	case partPDF:
		if p.data != nil {
			return OpenAIPart{Type: "file", File: &OpenAIFile{Filename: p.name, FileData: p.href()}}
		}
		// Chat completions take PDFs as data only.
		return OpenAIPart{Type: "text", Text: p.linkNote()}
	}
	return OpenAIPart{Type: "text", Text: p.text()}
}

// AnthropicMessage is a message of Anthropic's messages API. Role is "user"
// or "assistant"; the system prompt is a separate parameter.
type AnthropicMessage struct {
	Role    string           `json:"role"`
	Content []AnthropicBlock `json:"content"`
}

// AnthropicBlock is a content block: "text", "image", "document",
// "tool_use" (ID, Name, Input) or "tool_result" (ToolUseID, Content,
// IsError).
type AnthropicBlock struct {
	Type      string           `json:"type"`
	Text      string           `json:"text,omitempty"`
	Source    *AnthropicSource `json:"source,omitempty"`
	Title     string           `json:"title,omitempty"` // a document's file name
	ID        string           `json:"id,omitempty"`
	Name      string           `json:"name,omitempty"`
	Input     json.RawMessage  `json:"input,omitempty"`
	ToolUseID string           `json:"tool_use_id,omitempty"`
	Content   string           `json:"content,omitempty"`
	IsError   bool             `json:"is_error,omitempty"`
}

// AnthropicSource is where an image or document comes from: "base64"
// (MediaType and Data), "url" (URL) or "text" (a plain-text document:
// MediaType "text/plain" and Data).
type AnthropicSource struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

// AnthropicMessages converts a transcript into Anthropic messages and the
// system prompt.
//
// The API has no system role: every system message, wherever it is, goes to
// system, joined by blank lines. Messages of other roles and messages with
// neither text nor attachments are left out (the API rejects empty content),
// and so is every message before the first user message (the conversation
// must open with the user). Consecutive messages of the same role are kept
// as they are: the API combines them into one turn. Thinking is never sent.
// A user message's attachments become blocks before its text: images (PNG,
// JPEG, GIF, WebP) as "image" blocks, PDFs as "document" blocks (base64 or
// URL), text files as plain-text "document" blocks titled with the file
// name, and anything else as a short text note. An assistant message with
// tool calls becomes, for each round, an assistant message with the text
// written before the calls and a "tool_use" block per call (malformed
// arguments as {}: the API wants an object), then a user message with a
// "tool_result" block per call, and then the rest of the text.
func AnthropicMessages(msgs []Message) (system string, out []AnthropicMessage) {
	var sys []string
	out = make([]AnthropicMessage, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		if !sendable(m) {
			continue
		}
		if m.Role == System {
			sys = append(sys, m.Content)
			continue
		}
		if len(out) == 0 && m.Role != User {
			continue
		}
		if m.Role == Assistant && len(m.ToolCalls) > 0 {
			for _, s := range segments(m) {
				am := AnthropicMessage{Role: "assistant"}
				if s.text != "" {
					am.Content = append(am.Content, AnthropicBlock{Type: "text", Text: s.text})
				}
				var results []AnthropicBlock
				for _, t := range s.calls {
					in := json.RawMessage(strings.TrimSpace(t.Args))
					if !json.Valid(in) || len(in) == 0 || in[0] != '{' {
						in = json.RawMessage("{}")
					}
					am.Content = append(am.Content, AnthropicBlock{Type: "tool_use", ID: t.ID, Name: t.Name, Input: in})
					results = append(results, AnthropicBlock{Type: "tool_result", ToolUseID: t.ID, Content: t.modelResult(), IsError: t.failed()})
				}
				if len(am.Content) > 0 {
					out = append(out, am)
				}
				if len(results) > 0 {
					out = append(out, AnthropicMessage{Role: "user", Content: results})
				}
			}
			continue
		}
		am := AnthropicMessage{Role: string(m.Role)}
		if m.Role == User {
			for _, a := range m.Attachments {
				am.Content = append(am.Content, anthropicBlock(readAttachment(a)))
			}
		}
		if m.Content != "" {
			am.Content = append(am.Content, AnthropicBlock{Type: "text", Text: m.Content})
		}
		if len(am.Content) > 0 {
			out = append(out, am)
		}
	}
	return strings.Join(sys, "\n\n"), out
}

func anthropicBlock(p part) AnthropicBlock {
	switch p.kind {
	case partImage, partPDF:
		b := AnthropicBlock{Type: "image"}
		if p.kind == partPDF {
			b = AnthropicBlock{Type: "document", Title: title(p.name)}
		}
		if p.data != nil {
			b.Source = &AnthropicSource{Type: "base64", MediaType: p.mime, Data: base64.StdEncoding.EncodeToString(p.data)}
		} else {
			b.Source = &AnthropicSource{Type: "url", URL: p.link}
		}
		return b
	case partText:
		if p.data != nil {
			return AnthropicBlock{Type: "document", Title: title(p.name),
				Source: &AnthropicSource{Type: "text", MediaType: "text/plain", Data: string(p.data)}}
		}
		return AnthropicBlock{Type: "text", Text: p.linkNote()}
	}
	return AnthropicBlock{Type: "text", Text: p.text()}
}

// title keeps a document title within the API's 500 characters.
func title(name string) string {
	if len(name) <= 500 {
		return name
	}
	n := 500
	for n > 0 && !utf8.RuneStart(name[n]) {
		n--
	}
	return name[:n]
}

// sendable reports whether m goes to a model at all.
func sendable(m *Message) bool {
	switch m.Role {
	case System:
		return m.Content != ""
	case User, Assistant:
		return m.Content != "" || m.Role == User && len(m.Attachments) > 0 || m.Role == Assistant && len(m.ToolCalls) > 0
	}
	return false
}

type partKind int

const (
	partImage partKind = iota // an image models read: PNG, JPEG, GIF, WebP
	partPDF
	partText  // a text file
	partOther // anything else: sent as a note
)

// part is an attachment as the provider formats see it: its kind, its media
// type (lowercase, no parameters) and either its bytes or a link to it.
type part struct {
	kind partKind
	name string
	mime string
	data []byte // the content, if known (from Data or a data: URL)
	link string // an http(s) URL, when data is nil
	bad  string // why the attachment cannot be read, if it cannot
}

// readAttachment classifies a: Data wins over URL; a data: URL is decoded;
// an empty or generic media type is sniffed from the content or guessed from
// the file name.
func readAttachment(a Attachment) part {
	p := part{name: a.Name, mime: mediaType(a.MIME), data: a.Data}
	if p.data == nil && a.URL != "" {
		if strings.HasPrefix(strings.ToLower(a.URL), "data:") {
			mt, data, err := decodeDataURL(a.URL)
			if err != nil {
				p.kind, p.bad = partOther, "it could not be read ("+err.Error()+")"
				return p
			}
			p.data = data
			if p.mime == "" {
				p.mime = mt
			}
		} else if u := strings.ToLower(a.URL); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			p.link = a.URL
		} else {
			p.kind, p.bad = partOther, "its URL is neither http(s) nor data"
			return p
		}
	}
	if p.data == nil && p.link == "" {
		p.kind, p.bad = partOther, "it is empty"
		return p
	}
	if p.mime == "" || p.mime == "application/octet-stream" {
		if p.data != nil {
			p.mime = mediaType(http.DetectContentType(p.data))
		} else if t, ok := extTypes[strings.ToLower(path.Ext(a.Name))]; ok {
			p.mime = t
		}
	}
	switch {
	case p.mime == "image/png" || p.mime == "image/jpeg" || p.mime == "image/gif" || p.mime == "image/webp":
		p.kind = partImage
	case p.mime == "application/pdf":
		p.kind = partPDF
	case textual(p.mime) && (p.data == nil || utf8.Valid(p.data) && bytes.IndexByte(p.data, 0) < 0):
		p.kind = partText
	case textual(p.mime):
		p.kind, p.bad = partOther, "it is not UTF-8 text"
	default:
		p.kind, p.bad = partOther, "the format is not supported"
	}
	return p
}

// extTypes guesses the media type of a linked file with none.
var extTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".pdf": "application/pdf", ".txt": "text/plain", ".md": "text/markdown",
}

func mediaType(s string) string {
	if s == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(s)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(s))
	}
	return mt
}

// textual reports whether the media type mt is text a model can read as is.
func textual(mt string) bool {
	if strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") || strings.HasSuffix(mt, "+yaml") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/yaml", "application/x-yaml", "application/toml",
		"application/javascript", "application/x-javascript", "application/ecmascript", "application/sql",
		"application/x-sh", "application/x-python", "application/x-ndjson", "application/jsonl", "application/csv":
		return true
	}
	return false
}

func decodeDataURL(u string) (mt string, data []byte, err error) {
	meta, payload, ok := strings.Cut(u[len("data:"):], ",")
	if !ok {
		return "", nil, fmt.Errorf("a data URL without a comma")
	}
	isBase64 := false
	if m, ok := strings.CutSuffix(meta, ";base64"); ok {
		meta, isBase64 = m, true
	}
	if isBase64 {
		data, err = base64.StdEncoding.DecodeString(payload)
		if err != nil {
			// Some writers drop the padding.
			if d, err2 := base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "=")); err2 == nil {
				data, err = d, nil
			}
		}
		if err != nil {
			return "", nil, fmt.Errorf("bad base64 in a data URL")
		}
	} else {
		s, err := url.PathUnescape(payload)
		if err != nil {
			return "", nil, fmt.Errorf("a bad %% escape in a data URL")
		}
		data = []byte(s)
	}
	if data == nil {
		data = []byte{}
	}
	return mediaType(meta), data, nil
}

// href is the image or PDF as a URL: its link, or a data URL of its bytes.
func (p part) href() string {
	if p.data == nil {
		return p.link
	}
	return "data:" + p.mime + ";base64," + base64.StdEncoding.EncodeToString(p.data)
}

// text is what a text file or an unreadable attachment becomes in a text
// part: the file in <file> tags, or a note.
func (p part) text() string {
	switch {
	case p.kind == partText && p.data != nil:
		return `<file name="` + attrName.Replace(p.name) + `">` + "\n" + strings.TrimSuffix(string(p.data), "\n") + "\n</file>"
	case p.kind == partText || p.kind == partPDF:
		return p.linkNote()
	}
	return fmt.Sprintf("[Attached file %q (%s) is not included: %s.]", p.name, orUnknown(p.mime), p.bad)
}

// attrName keeps a file name within the quotes of <file name="…">.
var attrName = strings.NewReplacer(`"`, "'", "\n", " ", "\r", " ")

// linkNote names a linked file the format cannot carry.
func (p part) linkNote() string {
	return fmt.Sprintf("[Attached file %q (%s): %s]", p.name, orUnknown(p.mime), p.link)
}

func orUnknown(mt string) string {
	if mt == "" {
		return "unknown type"
	}
	return mt
}
