// Package redis is the [store.Store] and the [store.Bus] for many
// instances of an app: the
// conversations are kept in one Redis that every instance reaches, through
// github.com/redis/go-redis/v9. [Open] connects to an address or a
// redis:// URL; [New] takes a client the app configured itself (timeouts,
// TLS, retries). Every method is one Lua script, so each is atomic and
// costs one round trip; conversations may expire ([WithTTL]); data that
// cannot be read is skipped and logged ([WithLogger]) rather than failing a
// whole conversation. It needs one Redis (a primary, with replicas if you
// like), not Redis Cluster: a script computes the owner's list key from the
// conversation, which Cluster does not allow.
//
// # Keys
//
// Every key starts with the prefix ([WithPrefix], default "sheen:") and a
// word that says what it holds; ids and owners follow as they are (they
// may contain any byte, the word before them keeps the key spaces apart).
//
//	conv:<id>        hash   the header: owner, title, created, updated (Unix ms,
//	                        decimal), seq (the last message number), lm (the
//	                        conversation's entry in its owner's list)
//	msgs:<id>        hash   the messages: i:<message id> → its number n (1, 2, …
//	                        in append order); h:<n> → Created (8 bytes, Unix ms,
//	                        big-endian), a format version (1), Role and Status
//	                        (uvarint length, bytes), then Meta; t:<n> → Content
//	text:<n>:<id>    string the Content of message n while it streams: its first
//	                        AppendText moves t:<n> here, later ones APPEND to it
//	                        (nothing is rewritten); Update moves it back
//	live:<id>        set    the numbers n that have a text key
//	user:<owner>     zset   the owner's list: every score 0, each member 8 bytes
//	                        that sort newer Updated times first, then the id;
//	                        List pages with ZRANGEBYLEX after the previous page's
//	                        last member (the opaque cursor), so equal times never
//	                        repeat or skip an entry
//	bus:<id>         stream the Bus's live log of conversation id: one entry per
//	                        Publish, its id the event's position, its one field
//	                        d the event's data
//
// (The store's live:<id> is its own set of streaming messages; the Bus's
// log is bus:<id>, so that a store and a bus may share a prefix.)
//
// A conversation is thus three keys, plus one per message still streaming,
// plus its entry in its owner's list; Get reads them all in one script.
// Delete removes them all and the list entry.
//
// # Retention
//
// With [WithTTL](d), every key of a conversation expires (PEXPIREAT) at its
// Updated + d, moved on each write to it, so a conversation untouched for d
// disappears whole, by Redis's own clock, with nothing to run. An owner's
// list expires with its newest conversation; entries of conversations that
// expired before it are removed by the next write to that list
// (ZREMRANGEBYLEX of the entries older than d) and skipped, and removed, by
// List until then. Keys are thus bounded by the conversations alive. A
// list that existed before a TTL was set keeps no expiry of its own (its
// entries are still trimmed). Without a TTL nothing expires.
//
// The Bus's live logs expire on their own: every Publish moves the log's
// expiry (PEXPIRE) to [WithBusTTL] from then (an hour by default) and caps
// it at about [WithBusMaxLen] events (XADD MAXLEN ~, 100,000 by default),
// so a log lasts an hour past its conversation's last event and holds at
// most that many; the writer's Trim (XTRIM MINID) drops the events before a
// reply's start sooner. The store's TTL and Delete do not touch the logs.
//
// # Durability
//
// That of the Redis behind it: with appendonly yes and appendfsync everysec
// (Redis's default when appendonly is on), a second of writes may be lost
// when Redis's machine dies; with no persistence, everything is lost when
// Redis restarts. While Redis is unreachable every call returns an error
// (after go-redis's retries), never store.ErrNotFound.
//
// The Bus's logs are as durable as the rest. A Follow whose Redis goes away
// returns the error; its caller follows again from the last position it
// saw once Redis is back. With appendonly yes nothing it had not seen is
// lost (but the last second of a crash); without persistence the log is
// gone, and the new Follow delivers what is published after the restart
// (stream ids follow Redis's clock, so they still come after the old
// position) and nothing of what was published between the last event seen
// and the restart.
package redis
