package openai

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

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/internal/sse"
)

// Config says which server and model to talk to.
type Config struct {
	Model   string // required
	BaseURL string // "" is OpenAI's API; e.g. http://localhost:11434/v1 for Ollama
	APIKey  string // local servers take none
	// Context is the model's context window in tokens; 0 guesses from the
	// model's name ([ContextWindow]).
	Context int
	// MaxOutput is the default cap of a reply (Request.MaxTokens 0); 0
	// sends none.
	MaxOutput int
	// MaxRetries is how often a request that failed to start is retried
	// (rate limits, server errors); negative means none, 0 the SDK's
	// default (2).
	MaxRetries int
	// Options are more SDK options (headers, an HTTP client…).
	Options []option.RequestOption
}

// Model is a model behind a Chat Completions endpoint.
type Model struct {
	client sdk.Client
	cfg    Config
	host   string
}

// New returns the model of cfg. It makes no request. The SDK also reads
// OPENAI_ORG_ID, OPENAI_PROJECT_ID and OPENAI_CUSTOM_HEADERS from the
// environment; cfg wins over them.
func New(cfg Config) *Model {
	key := cfg.APIKey
	if key == "" {
		key = "none" // local servers want no key, the SDK wants one
	}
	opts := []option.RequestOption{option.WithAPIKey(key)}
	if cfg.MaxRetries != 0 {
		opts = append(opts, option.WithMaxRetries(max(cfg.MaxRetries, 0)))
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	opts = append(opts, cfg.Options...)
	return &Model{client: sdk.NewClient(opts...), cfg: cfg, host: host(cfg.BaseURL)}
}

func host(base string) string {
	if base == "" {
		return "api.openai.com"
	}
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}

// WithModel returns the same server with another model (and that model's
// context window, unless Config.Context set one).
func (m *Model) WithModel(name string) *Model {
	n := *m
	n.cfg.Model = name
	return &n
}

// Info implements [model.Model].
func (m *Model) Info() model.Info {
	window := m.cfg.Context
	if window == 0 {
		window = ContextWindow(m.cfg.Model)
	}
	return model.Info{Name: m.cfg.Model, Provider: m.host, Context: window, MaxOutput: m.cfg.MaxOutput}
}

// Models lists the models the server has.
func (m *Model) Models(ctx context.Context) ([]string, error) {
	page, err := m.client.Models.List(ctx)
	if err != nil {
		return nil, m.wrap(err)
	}
	var names []string
	for _, x := range page.Data {
		names = append(names, x.ID)
	}
	return names, nil
}

// ContextWindow guesses a model's context window from its name; a model it
// does not know (a local one, typically) gets 8,192 tokens.
func ContextWindow(name string) int {
	n := strings.ToLower(name)
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:] // "openai/gpt-4o" as some gateways name it
	}
	for _, k := range []struct {
		prefix string
		window int
	}{
		{"gpt-5", 400_000}, {"gpt-4.1", 1_047_576}, {"gpt-4o", 128_000}, {"gpt-4-turbo", 128_000},
		{"gpt-4", 8_192}, {"gpt-3.5-turbo", 16_385}, {"o1", 200_000}, {"o3", 200_000}, {"o4", 200_000},
	} {
		if strings.HasPrefix(n, k.prefix) {
			return k.window
		}
	}
	return 8_192
}

// Params builds the SDK's request for req (exported for tests and for apps
// that want to add to it).
func (m *Model) Params(req model.Request) sdk.ChatCompletionNewParams {
	p := sdk.ChatCompletionNewParams{Model: m.cfg.Model, Messages: Messages(req.Messages)}
	p.StreamOptions.IncludeUsage = sdk.Bool(true)
	if n := req.MaxTokens; n > 0 || m.cfg.MaxOutput > 0 {
		if n == 0 {
			n = m.cfg.MaxOutput
		}
		p.MaxCompletionTokens = sdk.Int(int64(n))
	}
	if req.Temperature != nil {
		p.Temperature = sdk.Float(*req.Temperature)
	}
	for _, t := range req.Tools {
		var params map[string]any
		if len(t.Schema) > 0 {
			_ = json.Unmarshal(t.Schema, &params)
		}
		f := sdk.FunctionDefinitionParam{Name: t.Name, Parameters: params}
		if t.Description != "" {
			f.Description = sdk.String(t.Description)
		}
		p.Tools = append(p.Tools, sdk.ChatCompletionFunctionTool(f))
	}
	return p
}

// Messages converts a history to the SDK's messages: thinking is not sent;
// a tool result is a "tool" message; files become image and file parts.
func Messages(msgs []model.Message) []sdk.ChatCompletionMessageParamUnion {
	out := make([]sdk.ChatCompletionMessageParamUnion, 0, len(msgs))
	for _, m := range msgs {
		switch m.Role {
		case model.System:
			out = append(out, sdk.SystemMessage(m.Text))
		case model.Tool:
			out = append(out, sdk.ToolMessage(m.Text, m.ToolCallID))
		case model.Assistant:
			a := sdk.ChatCompletionAssistantMessageParam{}
			if m.Text != "" || len(m.ToolCalls) == 0 {
				a.Content.OfString = sdk.String(m.Text)
			}
			for _, c := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, sdk.ChatCompletionMessageToolCallUnionParam{OfFunction: &sdk.ChatCompletionMessageFunctionToolCallParam{
					ID: c.ID, Function: sdk.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Name, Arguments: string(c.Args)}}})
			}
			out = append(out, sdk.ChatCompletionMessageParamUnion{OfAssistant: &a})
		default:
			if len(m.Files) == 0 {
				out = append(out, sdk.UserMessage(m.Text))
				continue
			}
			parts := make([]sdk.ChatCompletionContentPartUnionParam, 0, len(m.Files)+1)
			for _, f := range m.Files {
				href := f.URL
				if f.Data != nil {
					href = "data:" + f.MIME + ";base64," + base64.StdEncoding.EncodeToString(f.Data)
				}
				if f.MIME == "application/pdf" {
					if f.Data == nil {
						parts = append(parts, sdk.TextContentPart(fmt.Sprintf("[Attached file %q: %s]", f.Name, f.URL)))
						continue
					}
					fp := sdk.ChatCompletionContentPartFileFileParam{FileData: sdk.String(href)}
					if f.Name != "" {
						fp.Filename = sdk.String(f.Name)
					}
					parts = append(parts, sdk.FileContentPart(fp))
					continue
				}
				parts = append(parts, sdk.ImageContentPart(sdk.ChatCompletionContentPartImageImageURLParam{URL: href}))
			}
			if m.Text != "" {
				parts = append(parts, sdk.TextContentPart(m.Text))
			}
			out = append(out, sdk.UserMessage(parts))
		}
	}
	return out
}

// chunk is the part of a streamed chat.completion.chunk this package reads.
type chunk struct {
	Choices []struct {
		Delta struct {
			Content          *string `json:"content"`
			ReasoningContent *string `json:"reasoning_content"`
			Reasoning        *string `json:"reasoning"`
			ToolCalls        []struct {
				Index    int    `json:"index"`
				ID       string `json:"id"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// call is a tool call being streamed.
type call struct {
	id, name string
	args     strings.Builder
	started  bool
}

// Stream implements [model.Model].
func (m *Model) Stream(ctx context.Context, req model.Request) iter.Seq2[model.Chunk, error] {
	params := m.Params(req)
	return func(yield func(model.Chunk, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // stopping the iteration cancels the request
		var raw *http.Response
		err := m.client.Post(ctx, "chat/completions", params, &raw, option.WithJSONSet("stream", true))
		if err != nil {
			yield(model.Chunk{}, m.fail(ctx, err))
			return
		}
		defer raw.Body.Close()
		r := sse.NewReader(raw.Body)
		var calls []*call
		var c chunk
		stop := ""
		flushCalls := func() bool {
			for _, k := range calls {
				if k == nil {
					continue
				}
				if !k.started && !yield(model.Chunk{Kind: model.ToolStartChunk, Call: &model.ToolCall{ID: k.id, Name: k.name}}, nil) {
					return false
				}
				if !yield(model.Chunk{Kind: model.ToolCallChunk, Call: &model.ToolCall{ID: k.id, Name: k.name, Args: json.RawMessage(k.args.String())}}, nil) {
					return false
				}
			}
			calls = nil
			return true
		}
		for r.Next() {
			data := r.Data()
			if string(data) == "[DONE]" {
				break
			}
			c = chunk{}
			if err := json.Unmarshal(data, &c); err != nil {
				yield(model.Chunk{}, &model.Error{Provider: m.host, Message: "a malformed event in the stream: " + err.Error(), Err: err})
				return
			}
			if c.Error != nil {
				yield(model.Chunk{}, &model.Error{Provider: m.host, Message: c.Error.Message})
				return
			}
			for i := range c.Choices {
				ch := &c.Choices[i]
				d := &ch.Delta
				if s := d.ReasoningContent; s != nil && *s != "" {
					if !yield(model.Chunk{Kind: model.ThinkingChunk, Text: *s}, nil) {
						return
					}
				} else if s := d.Reasoning; s != nil && *s != "" {
					if !yield(model.Chunk{Kind: model.ThinkingChunk, Text: *s}, nil) {
						return
					}
				}
				if s := d.Content; s != nil && *s != "" {
					if !yield(model.Chunk{Kind: model.TextChunk, Text: *s}, nil) {
						return
					}
				}
				for _, tc := range d.ToolCalls {
					if tc.Index < 0 || tc.Index > 1024 {
						continue // a hostile or broken server
					}
					for len(calls) <= tc.Index {
						calls = append(calls, nil)
					}
					k := calls[tc.Index]
					if k == nil {
						k = &call{}
						calls[tc.Index] = k
					}
					if tc.ID != "" {
						k.id = tc.ID
					}
					if tc.Function.Name != "" {
						k.name += tc.Function.Name
					}
					k.args.WriteString(tc.Function.Arguments)
					if !k.started && k.id != "" && k.name != "" {
						k.started = true
						if !yield(model.Chunk{Kind: model.ToolStartChunk, Call: &model.ToolCall{ID: k.id, Name: k.name}}, nil) {
							return
						}
					}
				}
				if ch.FinishReason != nil && *ch.FinishReason != "" {
					stop = *ch.FinishReason
				}
			}
			if u := c.Usage; u != nil {
				if !yield(model.Chunk{Kind: model.UsageChunk, In: u.PromptTokens, Out: u.CompletionTokens}, nil) {
					return
				}
			}
		}
		if err := r.Err(); err != nil {
			yield(model.Chunk{}, m.fail(ctx, err))
			return
		}
		if ctx.Err() != nil {
			yield(model.Chunk{}, ctx.Err())
			return
		}
		for i, k := range calls {
			if k != nil && k.id == "" {
				k.id = fmt.Sprintf("call_%d", i) // some local servers send none
			}
		}
		if !flushCalls() {
			return
		}
		if stop != "" {
			yield(model.Chunk{Kind: model.TextChunk, Stop: stop}, nil)
		}
	}
}

// fail is the error of a request: ctx's if it ended, else the server's.
func (m *Model) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("model: %w", ctx.Err())
	}
	return m.wrap(err)
}

func (m *Model) wrap(err error) error {
	var apiErr *sdk.Error
	if errors.As(err, &apiErr) {
		msg := apiErr.Message
		if msg == "" {
			msg = http.StatusText(apiErr.StatusCode)
		}
		return &model.Error{Provider: m.host, Status: apiErr.StatusCode, Message: msg, Err: err}
	}
	return &model.Error{Provider: m.host, Message: "could not be reached or broke off: " + err.Error(), Err: err}
}
