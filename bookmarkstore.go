package sheen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// The bookmark stores that come with sheen.

// ErrBookmarkNotFound is returned by the stores of this package for an id
// they do not hold, including an id that is not well-formed.
var ErrBookmarkNotFound = errors.New("sheen: no such bookmark")

// bookmarkIDLen is the length of a bookmark id: 128 random bits, base64url.
const bookmarkIDLen = 22

// validBookmarkID reports whether id could have been made by newBookmarkID:
// 22 characters of the base64url alphabet. Nothing else reaches a file name.
func validBookmarkID(id string) bool {
	if len(id) != bookmarkIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(isLetter(c) || isDigit(c) || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// maxMemoryBookmarks bounds a BookmarkMemory: the oldest go first.
const maxMemoryBookmarks = 10000

// BookmarkMemory returns a [BookmarkStore] in the process's memory: its
// bookmarks are lost on a restart, and it keeps the 10,000 most recent.
// Tests and single-process demos use it.
func BookmarkMemory() BookmarkStore {
	return &memoryBookmarks{m: make(map[string][]byte)}
}

type memoryBookmarks struct {
	mu    sync.Mutex
	m     map[string][]byte
	order []string // ids, oldest first
}

func (s *memoryBookmarks) Save(_ context.Context, state []byte) (string, error) {
	if len(state) > MaxStoredBookmark {
		return "", fmt.Errorf("sheen: bookmark of %d bytes over the limit of %d", len(state), MaxStoredBookmark)
	}
	id := randomID("", 16)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[id] = append([]byte(nil), state...)
	s.order = append(s.order, id)
	if len(s.order) > maxMemoryBookmarks {
		delete(s.m, s.order[0])
		s.order = s.order[1:]
	}
	return id, nil
}

func (s *memoryBookmarks) Load(_ context.Context, id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[id]
	if !ok {
		return nil, ErrBookmarkNotFound
	}
	return append([]byte(nil), b...), nil
}

// BookmarkDir returns a [BookmarkStore] that keeps each bookmark in a file
// <id>.json of the directory dir (mode 0600, created with mode 0700 when
// needed). Ids are 128 random bits; Load refuses any id that is not of that
// form, so no id can name a file elsewhere. Nothing is ever deleted.
func BookmarkDir(dir string) BookmarkStore { return dirBookmarks{dir: dir} }

type dirBookmarks struct{ dir string }

func (d dirBookmarks) Save(_ context.Context, state []byte) (string, error) {
	if len(state) > MaxStoredBookmark {
		return "", fmt.Errorf("sheen: bookmark of %d bytes over the limit of %d", len(state), MaxStoredBookmark)
	}
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return "", err
	}
	id := randomID("", 16)
	f, err := os.CreateTemp(d.dir, ".tmp-*")
	if err != nil {
		return "", err
	}
	_, werr := f.Write(state)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr == nil {
		werr = os.Rename(f.Name(), filepath.Join(d.dir, id+".json"))
	}
	if werr != nil {
		_ = os.Remove(f.Name())
		return "", werr
	}
	return id, nil
}

func (d dirBookmarks) Load(_ context.Context, id string) ([]byte, error) {
	if !validBookmarkID(id) {
		return nil, ErrBookmarkNotFound
	}
	f, err := os.Open(filepath.Join(d.dir, id+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrBookmarkNotFound
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxStoredBookmark+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxStoredBookmark {
		return nil, fmt.Errorf("sheen: bookmark %s over the limit of %d bytes", id, MaxStoredBookmark)
	}
	return b, nil
}
