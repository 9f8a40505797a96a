package chat

import (
	"time"

	"github.com/sheenhq/sheen/tokens"
)

// Metrics are the measurements of a streamed assistant reply, recorded by
// the chat for every streamed message ([Chat.AppendMessageStream],
// [Chat.StreamContext], [Respond]) and kept with it ([Message].Metrics,
// saved and restored with the conversation). [ShowMetrics] shows them
// under each reply.
type Metrics struct {
	// FirstToken is the time from the start of the reply (its stream began
	// to run; with Respond, the request was sent) to its first text or
	// thinking.
	FirstToken time.Duration `json:"first"`
	// Duration is the time from the start to the end.
	Duration time.Duration `json:"duration"`
	// TokensOut counts the reply's text and thinking with
	// [tokens.Default] (o200k_base), whatever the chat's [TokenCounter]:
	// the same measure for every chat and model, so replies compare. It is
	// counted for the replies of [Respond] and in a chat with [ShowMetrics],
	// and 0 otherwise (counting takes about 0.25 ms per KB of reply, once,
	// at its end).
	TokensOut int `json:"out"`
	// TokensIn and ProviderTokensOut are the provider's usage report (the
	// prompt, and the reply as billed, tool calls and hidden reasoning
	// included), summed over a reply's rounds; 0 when it gave none.
	TokensIn          int `json:"in,omitempty"`
	ProviderTokensOut int `json:"billed,omitempty"`
}

// TokensPerSecond is the reply's speed: TokensOut over the time from the
// first token to the end (0 when that is too short to measure).
func (m Metrics) TokensPerSecond() float64 {
	d := m.Duration - m.FirstToken
	if d < time.Millisecond || m.TokensOut == 0 {
		return 0
	}
	return float64(m.TokensOut) / d.Seconds()
}

// ShowMetrics shows each streamed reply's metrics in a small muted line
// under it: time to first token, tokens, tokens per second and duration
// (the tokens the provider reported on hover). Without it the metrics are
// recorded all the same ([Message].Metrics).
func ShowMetrics() Option { return func(c *config) { c.metrics = true } }

// wireMetrics are the metrics as the page receives them, in milliseconds.
type wireMetrics struct {
	First    int64   `json:"first"`
	Duration int64   `json:"duration"`
	Out      int     `json:"out"`
	In       int     `json:"in,omitempty"`
	Billed   int     `json:"billed,omitempty"`
	Rate     float64 `json:"rate,omitempty"`
}

func wireMetricsOf(m *Metrics) *wireMetrics {
	if m == nil {
		return nil
	}
	return &wireMetrics{First: m.FirstToken.Milliseconds(), Duration: m.Duration.Milliseconds(), Out: m.TokensOut,
		In: m.TokensIn, Billed: m.ProviderTokensOut, Rate: float64(int(m.TokensPerSecond()*10)) / 10}
}

// meter is a writer's measurements as it streams. Guarded by the
// conversation's mu.
type meter struct {
	start, first time.Time
	in, billed   int
	tokens       int  // counted when the stream ends
	count        bool // count the tokens (a Respond reply)
}

// wrote notes that text arrived.
func (mt *meter) wrote(s string) {
	if mt.first.IsZero() && s != "" {
		mt.first = time.Now()
	}
}

// metrics are the measurements at the end.
func (mt *meter) metrics(end time.Time) *Metrics {
	if mt.start.IsZero() {
		return nil
	}
	m := &Metrics{Duration: end.Sub(mt.start), TokensOut: mt.tokens, TokensIn: mt.in, ProviderTokensOut: mt.billed}
	if !mt.first.IsZero() {
		m.FirstToken = mt.first.Sub(mt.start)
	} else {
		m.FirstToken = m.Duration
	}
	return m
}

// countTokens counts text with v's counter (for budgets).
func (v *Chat) countTokens(text string) int {
	tc := v.cfg.tokens.counter
	if tc == nil {
		tc = tokens.Default()
	}
	return tc.Count(text)
}
