package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations bring an empty file to the current schema; migrations[i] takes
// it from version i to i+1, the version kept in PRAGMA user_version. A
// released migration is never edited: a change is a new one at the end.
var migrations = []string{
	// 1: conversations and their messages. Times are Unix milliseconds.
	// Columns are NOT NULL but not STRICT: a row someone else wrote with a
	// wrong type is skipped when read, not a failed query.
	`CREATE TABLE conversations (
		id      TEXT PRIMARY KEY NOT NULL,
		owner   TEXT NOT NULL,
		title   TEXT NOT NULL,
		created INTEGER NOT NULL,
		updated INTEGER NOT NULL
	);
	CREATE INDEX conversations_owner_updated ON conversations (owner, updated DESC, id DESC);
	CREATE TABLE messages (
		conv_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
		seq     INTEGER NOT NULL,
		id      TEXT NOT NULL,
		role    TEXT NOT NULL,
		content TEXT NOT NULL,
		status  TEXT NOT NULL,
		meta    BLOB,
		created INTEGER NOT NULL,
		PRIMARY KEY (conv_id, seq),
		UNIQUE (conv_id, id)
	);`,
	// 2: the text AppendText adds, one row per piece, so that appending to a
	// streaming message writes the piece and not the whole message again. A
	// message's text is its content followed by its parts in seq order;
	// Update folds them back into content. Existing text stays in messages.
	`CREATE TABLE message_parts (
		conv_id TEXT NOT NULL,
		msg_seq INTEGER NOT NULL,
		seq     INTEGER NOT NULL,
		text    TEXT NOT NULL,
		PRIMARY KEY (conv_id, msg_seq, seq),
		FOREIGN KEY (conv_id, msg_seq) REFERENCES messages (conv_id, seq) ON DELETE CASCADE
	);`,
	// 3: the bytes of attachments (store.Files), deleted with their
	// conversation.
	`CREATE TABLE files (
		conv_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
		key     TEXT NOT NULL,
		data    BLOB NOT NULL,
		PRIMARY KEY (conv_id, key)
	);`,
}

// migrate brings db to the schema of migrations, one transaction per
// version, and refuses a file written by a newer version of the package.
func migrate(ctx context.Context, db *sql.DB, migrations []string) error {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("the file has schema version %d, newer than this program's %d: it was written by a newer sheen; upgrade, or use another file", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		if err := migrateOne(ctx, db, v+1, migrations[v]); err != nil {
			return fmt.Errorf("migrating the schema from version %d to %d: %w", v, v+1, err)
		}
	}
	return nil
}

func migrateOne(ctx context.Context, db *sql.DB, to int, migration string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process may have migrated the file since it was checked.
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version >= to {
		return nil
	}
	if _, err := tx.ExecContext(ctx, migration); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", to)); err != nil {
		return err
	}
	return tx.Commit()
}
