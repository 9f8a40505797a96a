package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sheenhq/sheen/model"
	"github.com/sheenhq/sheen/model/anthropic"
	"github.com/sheenhq/sheen/model/openai"
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

// A Model is a real model the chat answers with (chat.Respond): the chat
// sends it only the newest messages that fit its token budget, shows how
// full that budget is, and /model switches it.
type Model interface {
	Backend
	Model() string               // the model's name
	WithModel(name string) Model // the same server, another model
	Budget() tokens.Budget       // the model's context window and the room kept for its reply
	Models(ctx context.Context) ([]string, error)
	LLM() model.Model // what chat.Respond streams from
}

// budgetOf is the budget chat.Respond gives a model with this window and
// no output cap: a quarter of the window for the reply, at most 4,096
// tokens, and OpenAI's format overhead.
func budgetOf(window int) tokens.Budget {
	return tokens.Budget{Max: window, Reserve: min(4096, window/4), PerMessage: 3, PerReply: 3}
}

// OpenAI is a model behind an OpenAI-compatible Chat Completions endpoint
// (OpenAI, Ollama, vLLM, llama.cpp's server, LM Studio…): package
// model/openai does the work.
type OpenAI struct {
	m   *openai.Model
	cfg Config
}

// NewOpenAI returns the model of cfg. It makes no request.
func NewOpenAI(cfg Config) *OpenAI {
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	return &OpenAI{m: openai.New(openai.Config{Model: cfg.Model, BaseURL: cfg.BaseURL, APIKey: cfg.APIKey, Context: cfg.Context, MaxRetries: cfg.MaxRetries}), cfg: cfg}
}

// Name implements Backend.
func (o *OpenAI) Name() string { return o.cfg.Model + " at " + o.m.Info().Provider }

// Model implements Model.
func (o *OpenAI) Model() string { return o.cfg.Model }

// WithModel implements Model.
func (o *OpenAI) WithModel(name string) Model {
	cfg := o.cfg
	cfg.Model = name
	return &OpenAI{m: o.m.WithModel(name), cfg: cfg}
}

// Budget implements Model.
func (o *OpenAI) Budget() tokens.Budget { return budgetOf(o.m.Info().Context) }

// Models implements Model.
func (o *OpenAI) Models(ctx context.Context) ([]string, error) { return o.m.Models(ctx) }

// LLM implements Model.
func (o *OpenAI) LLM() model.Model { return o.m }

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

// AnthropicConfig says which Anthropic model to talk to.
type AnthropicConfig struct {
	APIKey   string // ANTHROPIC_API_KEY
	BaseURL  string // ANTHROPIC_BASE_URL; "" is Anthropic's API
	Model    string // ANTHROPIC_MODEL; "" is DefaultAnthropicModel
	Thinking int    // ANTHROPIC_THINKING: a budget of tokens for extended thinking; 0 is off
}

// DefaultAnthropicModel is the model used when ANTHROPIC_MODEL is not set.
const DefaultAnthropicModel = "claude-sonnet-4-5"

// AnthropicFromEnv reads ANTHROPIC_* from the environment; ok is false
// when ANTHROPIC_API_KEY is not set.
func AnthropicFromEnv(getenv func(string) string) (cfg AnthropicConfig, ok bool, err error) {
	cfg = AnthropicConfig{APIKey: strings.TrimSpace(getenv("ANTHROPIC_API_KEY")), BaseURL: strings.TrimSpace(getenv("ANTHROPIC_BASE_URL")),
		Model: strings.TrimSpace(getenv("ANTHROPIC_MODEL"))}
	if cfg.APIKey == "" {
		return AnthropicConfig{}, false, nil
	}
	if cfg.Model == "" {
		cfg.Model = DefaultAnthropicModel
	}
	if s := strings.TrimSpace(getenv("ANTHROPIC_THINKING")); s != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		if err != nil || n < 1024 {
			return AnthropicConfig{}, false, fmt.Errorf("ANTHROPIC_THINKING=%q: want a budget of thinking tokens, at least 1024", s)
		}
		cfg.Thinking = n
	}
	return cfg, true, nil
}

// Anthropic is a model of Anthropic's Messages API (package
// model/anthropic).
type Anthropic struct {
	m   *anthropic.Model
	cfg AnthropicConfig
}

// NewAnthropic returns the model of cfg. It makes no request.
func NewAnthropic(cfg AnthropicConfig) *Anthropic {
	return &Anthropic{m: anthropic.New(anthropic.Config{Model: cfg.Model, APIKey: cfg.APIKey, BaseURL: cfg.BaseURL, MaxRetries: 2}), cfg: cfg}
}

// Name implements Backend.
func (a *Anthropic) Name() string { return a.cfg.Model + " at " + a.m.Info().Provider }

// Model implements Model.
func (a *Anthropic) Model() string { return a.cfg.Model }

// WithModel implements Model.
func (a *Anthropic) WithModel(name string) Model {
	cfg := a.cfg
	cfg.Model = name
	return &Anthropic{m: a.m.WithModel(name), cfg: cfg}
}

// Budget implements Model: what chat.Respond uses for a model whose
// replies are capped (anthropic.DefaultMaxOutput).
func (a *Anthropic) Budget() tokens.Budget {
	info := a.m.Info()
	return tokens.Budget{Max: info.Context, Reserve: min(info.MaxOutput, info.Context/2), PerMessage: 3, PerReply: 3}
}

// Models implements Model.
func (a *Anthropic) Models(ctx context.Context) ([]string, error) { return a.m.Models(ctx) }

// LLM implements Model.
func (a *Anthropic) LLM() model.Model { return a.m }
