// Package tools turns Go functions into tools a model can call.
//
//	weather := tools.Func("get_weather", "The current weather in a city.",
//		func(ctx context.Context, a struct {
//			City string `json:"city" jsonschema_description:"The city, e.g. Paris"`
//		}) (string, error) {
//			return lookup(ctx, a.City)
//		})
//
// The JSON Schema the model sees is derived from the argument type by
// github.com/invopop/jsonschema (field names from the json tags; a field
// without omitempty is required; a description from a jsonschema_description
// tag; enums and bounds from jsonschema tags such as
// `jsonschema:"enum=celsius,enum=fahrenheit"`). The arguments a model writes are decoded strictly into
// that type before the function runs: malformed JSON, an unknown field or a
// missing required field becomes an error result sent back to the model,
// which usually corrects itself on the next round; it never reaches the
// function, and never crashes anything. A panicking function is an error
// result too.
//
// [Run] runs one call; chat.Respond runs a round's calls in parallel, each
// with the turn's context (a stopped reply cancels them), and shows each as
// a card. [RequireApproval] makes a tool wait for a person to allow it.
package tools
