package tokens

import "sync"

// A Cache remembers the token count of each message so that a long history
// is never counted twice. A count is keyed by the message's identity, which
// the caller gives, together with its text: asking again for the same
// identity and the same text is a map lookup, while an edited text is counted
// afresh and replaces the old count.
//
// The cache keeps a reference to the last text counted for each identity (a
// Go string shares its bytes, so that costs no copy while the caller keeps the
// text too). Comparing the text is a pointer comparison when the caller passes
// the same string again, and a memory comparison otherwise; either is far
// cheaper than counting.
//
// Count a message once it no longer changes (a user message when it is sent,
// a reply when its stream ends): counting a growing reply after every chunk
// costs time quadratic in its length.
//
// The zero Cache is ready to use and counts with [Default]. A Cache is safe
// for concurrent use; counting happens outside its lock.
type Cache struct {
	counter Counter

	mu      sync.Mutex
	entries map[string]cacheEntry
	forgets uint64 // how many times Forget was called
}

type cacheEntry struct {
	text   string
	tokens int
}

// NewCache returns an empty cache that counts with c, or with [Default] if c
// is nil.
func NewCache(c Counter) *Cache {
	return &Cache{counter: c}
}

// Count returns the number of tokens in text, the text of the message known
// as id. It counts text only if the cache holds no count for id or holds one
// for another text.
func (c *Cache) Count(id, text string) int {
	c.mu.Lock()
	e, ok := c.entries[id]
	forgets := c.forgets
	c.mu.Unlock()
	if ok && e.text == text {
		return e.tokens
	}

	counter := c.counter
	if counter == nil {
		counter = Default()
	}
	n := counter.Count(text)

	c.mu.Lock()
	defer c.mu.Unlock()
	// A Forget while we counted may have been for id: storing now would bring
	// back what the caller dropped. Skipping the store only costs a recount.
	if c.forgets == forgets {
		if c.entries == nil {
			c.entries = make(map[string]cacheEntry)
		}
		c.entries[id] = cacheEntry{text: text, tokens: n}
	}
	return n
}

// Forget drops the count of the message known as id, if the cache holds one.
// Call it when a message is deleted, so that the cache does not keep its text.
func (c *Cache) Forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
	c.forgets++
}

// Len returns the number of messages whose count the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
