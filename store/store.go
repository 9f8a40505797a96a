package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned for a conversation that does not exist, was
// deleted, or belongs to another owner: callers cannot tell these apart, so
// a page never learns whether someone else's conversation exists.
var ErrNotFound = errors.New("store: not found")

// ErrExists is returned by Create and Append for an id already in use. A
// writer that retries a call whose answer it lost (a timeout, a connection
// cut) and gets ErrExists knows the first try was written.
var ErrExists = errors.New("store: exists")

// MaxTitle is the longest title, in runes, a store keeps. Longer titles are
// cut to it (at a rune boundary) by Create and Rename.
const MaxTitle = 200

// CutTitle cuts title to MaxTitle runes, as Create and Rename must.
func CutTitle(title string) string {
	n := 0
	for i := range title {
		if n == MaxTitle {
			return title[:i]
		}
		n++
	}
	return title
}

// Message states the store knows about. Any other status is the chat's and
// is kept as given.
const (
	// StatusStreaming marks a message that is still growing. A message left
	// in this state by a process that is gone was cut short: readers show it
	// as interrupted.
	StatusStreaming = "streaming"
	// StatusInterrupted marks a message whose writer went away (shutdown,
	// crash) before it finished.
	StatusInterrupted = "interrupted"
)

// Conversation is the header of one conversation.
type Conversation struct {
	ID      string // random, 128 bits, URL-safe; chosen by the caller
	Owner   string // the user it belongs to
	Title   string // plain text (never HTML), at most MaxTitle runes
	Created time.Time
	Updated time.Time // the last append, update or rename; List sorts by it
}

// Message is one message of a conversation, as the store keeps it. The
// store understands only ID, Status and the order of messages; Role,
// Content and Meta are the chat's and are returned exactly as written.
type Message struct {
	ID      string // unique within its conversation; chosen by the caller
	Role    string
	Content string // the text; grows with AppendText while streaming
	Status  string // "" for a finished message, StatusStreaming, …
	Meta    []byte // the chat's JSON (thinking, attachments, metrics, …); opaque here
	Created time.Time
}

// Store keeps conversations. Implementations are safe for concurrent use;
// each method is atomic: after a crash a message is either absent or as one
// complete call left it (never half written). Methods that take an owner
// return ErrNotFound for another owner's conversation; the methods that
// write messages take only the conversation id (the caller checked the owner
// when it loaded the conversation) and return ErrNotFound if it is gone.
//
// The conformance suite in package storetest pins this behaviour; every
// implementation runs it from its tests.
type Store interface {
	// Create adds a conversation. Its ID must be new (an existing one is an
	// error and is left as it was); Created and Updated are set to now when
	// zero. Title is cut to MaxTitle runes.
	Create(ctx context.Context, c Conversation) error
	// Get returns a conversation and its messages in the order they were
	// appended. Rows that cannot be read are skipped and reported by the
	// implementation (logged); the rest is returned.
	Get(ctx context.Context, owner, id string) (Conversation, []Message, error)
	// List returns owner's conversations, most recently updated first, at
	// most limit of them, starting after cursor ("" for the first page). next
	// is the cursor of the following page, "" after the last one. A walk
	// through the pages lists each conversation at most once: one written
	// during the walk moves to the front, where the next first page shows it.
	List(ctx context.Context, owner, cursor string, limit int) (page []Conversation, next string, err error)
	// Rename sets a conversation's title.
	Rename(ctx context.Context, owner, id, title string) error
	// Delete removes a conversation and its messages.
	Delete(ctx context.Context, owner, id string) error

	// Append adds m at the end of conversation id. m.ID must be new in it
	// (an existing one is an error and is left as it was); Created is set to
	// now when zero. An empty Meta, nil or not, reads back as nil.
	Append(ctx context.Context, id string, m Message) error
	// AppendText adds text to the end of message msgID's Content (a message
	// still streaming). An unknown message is ErrNotFound.
	AppendText(ctx context.Context, id, msgID, text string) error
	// Update replaces message m.ID's Role, Content, Status and Meta (a
	// message that finished, or whose text was rewritten); Created stays. An
	// unknown message is ErrNotFound.
	Update(ctx context.Context, id string, m Message) error
	// DeleteMessages removes the messages of conversation id whose ids are
	// in msgIDs (the chat's edit, delete, undo and regenerate cut the
	// transcript with it); the others keep their order. Ids it does not
	// have are ignored, so a retried call is harmless; a removed id may be
	// appended again. Updated is set to now. A gone conversation is
	// ErrNotFound.
	DeleteMessages(ctx context.Context, id string, msgIDs []string) error

	// Close releases the store.
	Close() error
}

// Files is implemented by stores that keep the bytes of a conversation's
// attachments with it: they live as long as the conversation (Delete
// removes them) and are written before the message that refers to them.
// The chat saves attachments' bytes only in a store that implements it.
type Files interface {
	// PutFile saves data as file key of conversation id, replacing a file
	// of that key (a retried write). ErrNotFound if the conversation is gone.
	PutFile(ctx context.Context, id, key string, data []byte) error
	// GetFile returns file key of conversation id; ErrNotFound if there is
	// none. The caller checked the owner when it loaded the conversation.
	GetFile(ctx context.Context, id, key string) ([]byte, error)
	// DeleteFiles removes files keys of conversation id: the chat calls it
	// after DeleteMessages for the files of the messages it cut, so that a
	// deleted message's attachments do not outlive it. Keys it does not
	// have are ignored (a retried call is harmless). ErrNotFound if the
	// conversation is gone.
	DeleteFiles(ctx context.Context, id string, keys []string) error
}
