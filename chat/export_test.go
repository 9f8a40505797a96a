package chat

import "github.com/sheenhq/sheen/store"

// SavedForm is m as a History saves it once shown: with its rendering.
func SavedForm(m Message) store.Message {
	cv := newConv(nil, "", "", "chat")
	cv.wire(m, false)
	return cv.toStore(m)
}
