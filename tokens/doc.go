// Package tokens counts the tokens of chat messages and picks the part of a
// chat history that fits a model's context window.
//
// A [Counter] counts the tokens in a text. [Default] counts with tiktoken's
// o200k_base encoding (OpenAI's current models); [ForEncoding] and [ForModel]
// give the others. The vocabularies are compiled into the program: nothing is
// downloaded, ever.
//
// A [Cache] remembers the count of each message, keyed by an identity the
// caller gives and by the message's text, so that a history is never counted
// twice and an edited message is counted again.
//
// A [Budget] (the model's context window, the room kept for the reply, and
// the chat format's overhead per message) selects the newest contiguous run of
// messages that fits, always keeping the system messages: [Budget.Fit] does it
// once over a slice of [Message], and a [History] does it in O(log n) for a
// history that grows one turn at a time. A history that cannot fit gives a
// [*BudgetError] wrapping [ErrInvalidBudget], [ErrSystemTooLarge] or
// [ErrUserTooLarge].
//
// The package knows nothing of any chat type: a Message is only a [Role] and a
// count.
package tokens
