package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/sheenhq/sheen"
	"github.com/sheenhq/sheen/chat"
	"github.com/sheenhq/sheen/tokens"
)

// Config says which OpenAI-compatible server and model to talk to.
type Config struct {
	BaseURL string // OPENAI_BASE_URL, e.g. http://localhost:11434/v1 for Ollama; "" is OpenAI
	APIKey  string // OPENAI_API_KEY; local servers take any
	Model   string // OPENAI_MODEL; "" asks the server's model list, or uses DefaultModel
	Context int    // OPENAI_CONTEXT: the model's context window in tokens; 0 guesses from the name
	// MaxRetries is how often a request that failed to start is retried
	// (rate limits, server errors); negative means none.
	MaxRetries int
}

// DefaultModel is the model used with OpenAI's own API when OPENAI_MODEL is
// not set.
const DefaultModel = "gpt-4o-mini"

// ConfigFromEnv reads the configuration from the environment. ok is false
// when neither OPENAI_BASE_URL nor OPENAI_API_KEY is set: no model is
// configured.
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	cfg = Config{
		BaseURL:    strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		APIKey:     strings.TrimSpace(getenv("OPENAI_API_KEY")),
		Model:      strings.TrimSpace(getenv("OPENAI_MODEL")),
		MaxRetries: 2,
	}
	if cfg.BaseURL == "" && cfg.APIKey == "" {
		return Config{}, false, nil
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Config{}, false, fmt.Errorf("OPENAI_BASE_URL=%q: want an http(s) URL such as http://localhost:11434/v1", cfg.BaseURL)
		}
	}
	if s := strings.TrimSpace(getenv("OPENAI_CONTEXT")); s != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		if err != nil || n < 256 {
			return Config{}, false, fmt.Errorf("OPENAI_CONTEXT=%q: want the model's context window in tokens, at least 256", s)
		}
		cfg.Context = n
	}
	return cfg, true, nil
}

// OpenAI answers with a model behind an OpenAI-compatible chat completions
// endpoint (OpenAI, Ollama, vLLM, llama.cpp's server, LM Studio…), streamed
// through the official SDK. It is a [Model]: the chat sends it only the
// newest messages that fit the model's context window.
type OpenAI struct {
	client openai.Client
	cfg    Config
}

// NewOpenAI returns a responder for cfg. It makes no request.
func NewOpenAI(cfg Config) *OpenAI {
	opts := []option.RequestOption{option.WithAPIKey(cfg.APIKey), option.WithMaxRetries(max(cfg.MaxRetries, 0))}
	if cfg.APIKey == "" {
		opts[0] = option.WithAPIKey("none") // local servers want no key, the SDK wants one
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	// The SDK also reads OPENAI_ORG_ID, OPENAI_PROJECT_ID and
	// OPENAI_CUSTOM_HEADERS from the environment; cfg wins over the rest.
	return &OpenAI{client: openai.NewClient(opts...), cfg: cfg}
}

// Name implements Responder.
func (o *OpenAI) Name() string { return o.cfg.Model + " at " + o.host() }

func (o *OpenAI) host() string {
	if o.cfg.BaseURL == "" {
		return "api.openai.com"
	}
	if u, err := url.Parse(o.cfg.BaseURL); err == nil {
		return u.Host
	}
	return o.cfg.BaseURL
}

// Model implements Model.
func (o *OpenAI) Model() string { return o.cfg.Model }

// WithModel implements Model: the same server with another model (and that
// model's context window, unless OPENAI_CONTEXT set one).
func (o *OpenAI) WithModel(name string) Model {
	cfg := o.cfg
	cfg.Model = name
	return &OpenAI{client: o.client, cfg: cfg}
}

// Budget implements Model: the model's context window, with room kept for
// the reply (a quarter of the window, at most 4,096 tokens) and OpenAI's
// format overhead.
func (o *OpenAI) Budget() tokens.Budget {
	window := o.cfg.Context
	if window == 0 {
		window = contextWindow(o.cfg.Model)
	}
	return tokens.Budget{Max: window, Reserve: min(4096, window/4), PerMessage: 3, PerReply: 3}
}

// Models implements Model: what the server lists.
func (o *OpenAI) Models(ctx context.Context) ([]string, error) {
	page, err := o.client.Models.List(ctx)
	if err != nil {
		return nil, modelError(err, o.host())
	}
	var names []string
	for _, m := range page.Data {
		names = append(names, m.ID)
	}
	return names, nil
}

// contextWindow guesses a model's context window from its name; a model it
// does not know (a local one, typically) gets 8,192 tokens, which
// OPENAI_CONTEXT overrides.
func contextWindow(model string) int {
	m := strings.ToLower(model)
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:] // "openai/gpt-4o" as some gateways name it
	}
	for _, k := range []struct {
		prefix string
		window int
	}{
		{"gpt-5", 400_000},
		{"gpt-4.1", 1_047_576},
		{"gpt-4o", 128_000},
		{"gpt-4-turbo", 128_000},
		{"gpt-4", 8_192},
		{"gpt-3.5-turbo", 16_385},
		{"o1", 200_000},
		{"o3", 200_000},
		{"o4", 200_000},
	} {
		if strings.HasPrefix(m, k.prefix) {
			return k.window
		}
	}
	return 8_192
}

// Respond implements Responder: it streams the model's answer to history,
// its reasoning (from servers that send "reasoning_content", such as vLLM,
// llama.cpp and DeepSeek) in <thinking> tags. ctx cancels the request.
func (o *OpenAI) Respond(ctx context.Context, history []chat.Message) func(yield func(string, error) bool) {
	params := openai.ChatCompletionNewParams{Model: o.cfg.Model, Messages: sdkMessages(chat.OpenAIMessages(history))}
	return func(yield func(string, error) bool) {
		stream := o.client.Chat.Completions.NewStreaming(ctx, params)
		defer stream.Close()
		thinking := false
		for stream.Next() {
			c := stream.Current()
			if len(c.Choices) == 0 {
				continue
			}
			d := c.Choices[0].Delta
			if r := reasoning(d); r != "" {
				if !thinking && !yield("<thinking>\n", nil) {
					return
				}
				thinking = true
				if !yield(r, nil) {
					return
				}
			}
			if d.Content != "" {
				if thinking && !yield("\n</thinking>\n", nil) {
					return
				}
				thinking = false
				if !yield(d.Content, nil) {
					return
				}
			}
		}
		if err := stream.Err(); err != nil {
			if ctx.Err() != nil {
				yield("", ctx.Err()) // stopped: the chat marks the message stopped
				return
			}
			yield("", modelError(err, o.host()))
			return
		}
		if thinking {
			yield("\n</thinking>\n", nil)
		}
	}
}

// reasoning returns the reasoning text of a delta, if the server sends one.
func reasoning(d openai.ChatCompletionChunkChoiceDelta) string {
	for _, name := range []string{"reasoning_content", "reasoning"} {
		if f, ok := d.JSON.ExtraFields[name]; ok && strings.HasPrefix(f.Raw(), `"`) {
			var s string
			if json.Unmarshal([]byte(f.Raw()), &s) == nil {
				return s
			}
		}
	}
	return ""
}

// sdkMessages hands the chat's plain OpenAI messages to the SDK.
func sdkMessages(msgs []chat.OpenAIMessage) []openai.ChatCompletionMessageParamUnion {
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(msgs))
	for _, m := range msgs {
		switch {
		case m.Role == "system":
			out = append(out, openai.SystemMessage(m.Content))
		case m.Role == "assistant":
			out = append(out, openai.AssistantMessage(m.Content))
		case m.Parts == nil:
			out = append(out, openai.UserMessage(m.Content))
		default:
			parts := make([]openai.ChatCompletionContentPartUnionParam, 0, len(m.Parts))
			for _, p := range m.Parts {
				switch {
				case p.ImageURL != nil:
					parts = append(parts, openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: p.ImageURL.URL}))
				case p.File != nil:
					f := openai.ChatCompletionContentPartFileFileParam{FileData: openai.String(p.File.FileData)}
					if p.File.Filename != "" {
						f.Filename = openai.String(p.File.Filename)
					}
					parts = append(parts, openai.FileContentPart(f))
				default:
					parts = append(parts, openai.TextContentPart(p.Text))
				}
			}
			out = append(out, openai.UserMessage(parts))
		}
	}
	return out
}

// modelError turns an error of the model server into one the chat shows as
// is: an example talks to a server its user chose, so the user should see
// what went wrong (a wrong key, a model that does not exist, a server that
// is down), not a sanitized apology.
func modelError(err error, host string) error {
	var apiErr *openai.Error
	var streamErr *ssestream.StreamError
	switch {
	case errors.As(err, &apiErr):
		msg := apiErr.Message
		if msg == "" {
			msg = http.StatusText(apiErr.StatusCode)
		}
		return &sheen.SafeError{Message: fmt.Sprintf("The model server %s answered %d: %s", host, apiErr.StatusCode, msg), Err: err}
	case errors.As(err, &streamErr):
		var body struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		msg := streamErr.Message
		if json.Unmarshal(streamErr.Event.Data, &body) == nil && body.Error.Message != "" {
			msg = body.Error.Message
		}
		return &sheen.SafeError{Message: "The model failed while answering: " + msg, Err: err}
	}
	return &sheen.SafeError{Message: fmt.Sprintf("The model server %s could not be reached or broke off: %v", host, err), Err: err}
}

// pickModel chooses the model when OPENAI_MODEL is not set: the first one a
// local server lists (Ollama, LM Studio and llama.cpp list what they have),
// or DefaultModel for OpenAI itself.
func pickModel(cfg Config) string {
	if cfg.BaseURL == "" {
		return DefaultModel
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	names, err := NewOpenAI(cfg).Models(ctx)
	if err != nil || len(names) == 0 {
		return DefaultModel
	}
	return names[0]
}
