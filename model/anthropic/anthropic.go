package anthropic

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/internal/sse"
)

// Config says which model to talk to.
type Config struct {
	Model   string // required, e.g. "claude-sonnet-4-5"
	APIKey  string // "" reads ANTHROPIC_API_KEY (the SDK does)
	BaseURL string // "" is Anthropic's API
	// Context is the context window in tokens; 0 is 200,000.
	Context int
	// MaxOutput is the reply's cap when Request.MaxTokens is 0 (the API
	// requires one); 0 is 4,096. With thinking, the thinking budget is
	// added to it.
	MaxOutput int
	// MaxRetries: negative means none, 0 the SDK's default (2).
	MaxRetries int
	// Options are more SDK options.
	Options []option.RequestOption
}

// DefaultMaxOutput is the reply's cap when neither the request nor the
// config gives one.
const DefaultMaxOutput = 4096

// Model is a model of Anthropic's Messages API.
type Model struct {
	client sdk.Client
	cfg    Config
	host   string
}

// New returns the model of cfg. It makes no request.
func New(cfg Config) *Model {
	var opts []option.RequestOption
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	}
	if cfg.MaxRetries != 0 {
		opts = append(opts, option.WithMaxRetries(max(cfg.MaxRetries, 0)))
	}
	h := "api.anthropic.com"
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
		if u, err := url.Parse(cfg.BaseURL); err == nil && u.Host != "" {
			h = u.Host
		}
	}
	opts = append(opts, cfg.Options...)
	return &Model{client: sdk.NewClient(opts...), cfg: cfg, host: h}
}

// WithModel returns the same client with another model.
func (m *Model) WithModel(name string) *Model {
	n := *m
	n.cfg.Model = name
	return &n
}

// Info implements [model.Model].
func (m *Model) Info() model.Info {
	window := m.cfg.Context
	if window == 0 {
		window = 200_000
	}
	out := m.cfg.MaxOutput
	if out == 0 {
		out = DefaultMaxOutput
	}
	return model.Info{Name: m.cfg.Model, Provider: m.host, Context: window, MaxOutput: out}
}

// Models lists the models the API offers.
func (m *Model) Models(ctx context.Context) ([]string, error) {
	page, err := m.client.Models.List(ctx, sdk.ModelListParams{})
	if err != nil {
		return nil, m.wrap(err)
	}
	var names []string
	for _, x := range page.Data {
		names = append(names, x.ID)
	}
	return names, nil
}

// Params builds the SDK's request for req.
func (m *Model) Params(req model.Request) sdk.MessageNewParams {
	system, msgs := Messages(req.Messages, req.Thinking > 0)
	out := req.MaxTokens
	if out == 0 {
		out = m.Info().MaxOutput
	}
	p := sdk.MessageNewParams{Model: m.cfg.Model, Messages: msgs, MaxTokens: int64(out)}
	if system != "" {
		p.System = []sdk.TextBlockParam{{Text: system}}
	}
	if req.Thinking > 0 {
		p.Thinking = sdk.ThinkingConfigParamOfEnabled(int64(req.Thinking))
		p.MaxTokens = int64(out + req.Thinking) // max_tokens includes the thinking
	}
	for _, t := range req.Tools {
		var schema struct {
			Properties any      `json:"properties"`
			Required   []string `json:"required"`
		}
		extra := map[string]any{}
		if len(t.Schema) > 0 {
			_ = json.Unmarshal(t.Schema, &schema)
			_ = json.Unmarshal(t.Schema, &extra)
		}
		delete(extra, "properties")
		delete(extra, "required")
		delete(extra, "type")
		delete(extra, "$schema")
		delete(extra, "$id")
		tp := sdk.ToolParam{Name: t.Name, InputSchema: sdk.ToolInputSchemaParam{Properties: schema.Properties, Required: schema.Required, ExtraFields: extra}}
		if schema.Properties == nil {
			tp.InputSchema.Properties = map[string]any{}
		}
		if t.Description != "" {
			tp.Description = sdk.String(t.Description)
		}
		p.Tools = append(p.Tools, sdk.ToolUnionParam{OfTool: &tp})
	}
	return p
}

// Messages converts a history to the system prompt and the SDK's messages.
// System messages, wherever they are, join the system prompt. Messages
// before the first user message are left out (the API wants the
// conversation to open with the user). Tool results become tool_result
// blocks of a user message (consecutive ones share it). An assistant
// message's thinking is sent back, with its signature, when thinking is on
// and it has one (the API needs it within a tool-use turn). Malformed tool
// arguments are sent as {} (the API wants an object).
func Messages(msgs []model.Message, thinking bool) (system string, out []sdk.MessageParam) {
	var sys []string
	for _, m := range msgs {
		switch m.Role {
		case model.System:
			sys = append(sys, m.Text)
			continue
		case model.Tool:
			b := sdk.NewToolResultBlock(m.ToolCallID, m.Text, m.IsError)
			if n := len(out); n > 0 && out[n-1].OfUser != nil && lastIsToolResult(out[n-1]) {
				out[n-1].OfUser.Content = append(out[n-1].OfUser.Content, b)
			} else {
				out = append(out, sdk.NewUserMessage(b))
			}
			continue
		}
		if len(out) == 0 && m.Role != model.User {
			continue
		}
		var blocks []sdk.ContentBlockParamUnion
		if m.Role == model.Assistant {
			if thinking && m.Thinking != "" && m.ThinkingSignature != "" {
				blocks = append(blocks, sdk.NewThinkingBlock(m.ThinkingSignature, m.Thinking))
			}
			if m.Text != "" {
				blocks = append(blocks, sdk.NewTextBlock(m.Text))
			}
			for _, c := range m.ToolCalls {
				var input any = json.RawMessage(c.Args)
				if !json.Valid(c.Args) || !strings.HasPrefix(strings.TrimSpace(string(c.Args)), "{") {
					input = map[string]any{}
				}
				blocks = append(blocks, sdk.NewToolUseBlock(c.ID, input, c.Name))
			}
			if len(blocks) > 0 {
				out = append(out, sdk.NewAssistantMessage(blocks...))
			}
			continue
		}
		for _, f := range m.Files {
			blocks = append(blocks, fileBlock(f))
		}
		if m.Text != "" {
			blocks = append(blocks, sdk.NewTextBlock(m.Text))
		}
		if len(blocks) > 0 {
			out = append(out, sdk.NewUserMessage(blocks...))
		}
	}
	return strings.Join(sys, "\n\n"), out
}

func lastIsToolResult(p sdk.MessageParam) bool {
	c := p.OfUser.Content
	return len(c) > 0 && c[len(c)-1].OfToolResult != nil
}

func fileBlock(f model.File) sdk.ContentBlockParamUnion {
	if f.MIME == "application/pdf" {
		if f.Data != nil {
			return sdk.NewDocumentBlock(sdk.Base64PDFSourceParam{Data: base64.StdEncoding.EncodeToString(f.Data)})
		}
		return sdk.NewDocumentBlock(sdk.URLPDFSourceParam{URL: f.URL})
	}
	if f.Data != nil {
		return sdk.NewImageBlockBase64(f.MIME, base64.StdEncoding.EncodeToString(f.Data))
	}
	return sdk.NewImageBlock(sdk.URLImageSourceParam{URL: f.URL})
}

// event is the part of a streamed event this package reads.
type event struct {
	Type    string `json:"type"`
	Index   int    `json:"index"`
	Message *struct {
		Usage usage `json:"usage"`
	} `json:"message"`
	ContentBlock *struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"content_block"`
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		Thinking    string `json:"thinking"`
		Signature   string `json:"signature"`
		PartialJSON string `json:"partial_json"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage *usage `json:"usage"`
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

type usage struct {
	InputTokens              int `json:"input_tokens"`
	OutputTokens             int `json:"output_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
}

// block is a content block being streamed.
type block struct {
	kind     string
	id, name string
	args     strings.Builder
}

// Stream implements [model.Model].
func (m *Model) Stream(ctx context.Context, req model.Request) iter.Seq2[model.Chunk, error] {
	params := m.Params(req)
	return func(yield func(model.Chunk, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var raw *http.Response
		opts := []option.RequestOption{option.WithJSONSet("stream", true)}
		if req.Temperature != nil && req.Thinking == 0 { // not allowed with thinking
			opts = append(opts, option.WithJSONSet("temperature", *req.Temperature))
		}
		err := m.client.Post(ctx, "v1/messages", params, &raw, opts...)
		if err != nil {
			yield(model.Chunk{}, m.fail(ctx, err))
			return
		}
		defer raw.Body.Close()
		r := sse.NewReader(raw.Body)
		blocks := map[int]*block{}
		in := 0
		stop := ""
		var e event
		for r.Next() {
			e = event{}
			if err := json.Unmarshal(r.Data(), &e); err != nil {
				yield(model.Chunk{}, &model.Error{Provider: m.host, Message: "a malformed event in the stream: " + err.Error(), Err: err})
				return
			}
			switch e.Type {
			case "message_start":
				if e.Message != nil {
					u := e.Message.Usage
					in = u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens
					if !yield(model.Chunk{Kind: model.UsageChunk, In: in, Out: u.OutputTokens}, nil) {
						return
					}
				}
			case "content_block_start":
				if e.ContentBlock == nil || len(blocks) > 4096 {
					continue
				}
				b := &block{kind: e.ContentBlock.Type, id: e.ContentBlock.ID, name: e.ContentBlock.Name}
				blocks[e.Index] = b
				if b.kind == "tool_use" && !yield(model.Chunk{Kind: model.ToolStartChunk, Call: &model.ToolCall{ID: b.id, Name: b.name}}, nil) {
					return
				}
			case "content_block_delta":
				d := e.Delta
				if d == nil {
					continue
				}
				var c model.Chunk
				switch d.Type {
				case "text_delta":
					c = model.Chunk{Kind: model.TextChunk, Text: d.Text}
				case "thinking_delta":
					c = model.Chunk{Kind: model.ThinkingChunk, Text: d.Thinking}
				case "signature_delta":
					c = model.Chunk{Kind: model.SignatureChunk, Text: d.Signature}
				case "input_json_delta":
					if b := blocks[e.Index]; b != nil {
						b.args.WriteString(d.PartialJSON)
					}
					continue
				default:
					continue
				}
				if c.Text != "" && !yield(c, nil) {
					return
				}
			case "content_block_stop":
				b := blocks[e.Index]
				delete(blocks, e.Index)
				if b == nil || b.kind != "tool_use" {
					continue
				}
				args := b.args.String()
				if args == "" {
					args = "{}" // a call without arguments
				}
				if !yield(model.Chunk{Kind: model.ToolCallChunk, Call: &model.ToolCall{ID: b.id, Name: b.name, Args: json.RawMessage(args)}}, nil) {
					return
				}
			case "message_delta":
				if e.Delta != nil && e.Delta.StopReason != "" {
					stop = e.Delta.StopReason
				}
				if e.Usage != nil && !yield(model.Chunk{Kind: model.UsageChunk, In: in, Out: e.Usage.OutputTokens}, nil) {
					return
				}
			case "error":
				msg := "the stream failed"
				if e.Error != nil {
					msg = e.Error.Message
					if e.Error.Type != "" {
						msg = e.Error.Type + ": " + msg
					}
				}
				yield(model.Chunk{}, &model.Error{Provider: m.host, Message: msg})
				return
			case "message_stop":
				if stop != "" {
					yield(model.Chunk{Kind: model.TextChunk, Stop: stop}, nil)
				}
				return
			}
		}
		if err := r.Err(); err != nil {
			yield(model.Chunk{}, m.fail(ctx, err))
			return
		}
		if ctx.Err() != nil {
			yield(model.Chunk{}, fmt.Errorf("model: %w", ctx.Err()))
			return
		}
		// The stream ended without message_stop: cut off.
		yield(model.Chunk{}, &model.Error{Provider: m.host, Message: "the stream ended before the reply did"})
	}
}

func (m *Model) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("model: %w", ctx.Err())
	}
	return m.wrap(err)
}

func (m *Model) wrap(err error) error {
	var apiErr *sdk.Error
	if errors.As(err, &apiErr) {
		msg := http.StatusText(apiErr.StatusCode)
		var body struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(apiErr.RawJSON()), &body) == nil && body.Error.Message != "" {
			msg = body.Error.Message
		}
		return &model.Error{Provider: m.host, Status: apiErr.StatusCode, Message: msg, Err: err}
	}
	return &model.Error{Provider: m.host, Message: "could not be reached or broke off: " + err.Error(), Err: err}
}
