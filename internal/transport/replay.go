package transport

// Replay keeps the latest update frames of a session, by sequence number, so
// that a page that lost its connection can get the ones it missed. It is
// bounded by frame count and bytes; frames the page confirmed are dropped
// early. It is not safe for concurrent use.
type Replay struct {
	frames   [][]byte // the window of frames held, within base
	base     [][]byte // the whole array frames lives in (len = cap)
	first    uint64   // seq of frames[0]
	bytes    int
	maxFrame int
	maxBytes int
}

// NewReplay returns a buffer holding at most maxFrames frames and maxBytes bytes.
func NewReplay(maxFrames, maxBytes int) *Replay {
	return &Replay{first: 1, maxFrame: maxFrames, maxBytes: maxBytes}
}

// Add records the frame with sequence number seq, which must be one more than
// the last one added (the first is 1).
func (r *Replay) Add(seq uint64, frame []byte) {
	if len(r.frames) == 0 {
		r.first = seq
	}
	if len(r.frames) == cap(r.frames) && 2*len(r.frames) <= len(r.base) {
		// Acknowledgements slid the window to the end of an array at
		// least twice its size: move it back to the start rather than let
		// append allocate another (a streaming session would, every few
		// dozen frames).
		n := copy(r.base, r.frames)
		clear(r.base[n:]) // no stale references to frames dropped later
		r.frames = r.base[:n]
	}
	before := cap(r.frames)
	r.frames = append(r.frames, frame)
	if cap(r.frames) != before { // a new array
		r.base = r.frames[:cap(r.frames)]
	}
	r.bytes += len(frame)
	for len(r.frames) > 1 && (len(r.frames) > r.maxFrame || r.bytes > r.maxBytes) {
		r.drop()
	}
}

func (r *Replay) drop() {
	r.bytes -= len(r.frames[0])
	r.frames[0] = nil
	r.frames = r.frames[1:]
	r.first++
	if len(r.frames) == 0 {
		r.frames = nil
	}
}

// Ack drops the frames up to and including seq: the page has applied them.
func (r *Replay) Ack(seq uint64) {
	for len(r.frames) > 0 && r.first <= seq {
		r.drop()
	}
	if len(r.frames) == 0 && r.first <= seq {
		r.first = seq + 1
	}
}

// Since returns the frames after seq, given that last is the newest seq
// sent. ok is false if some of them were already dropped, so the page cannot
// resume.
func (r *Replay) Since(seq, last uint64) (frames [][]byte, ok bool) {
	if seq >= last {
		return nil, seq == last
	}
	if len(r.frames) == 0 || seq+1 < r.first {
		return nil, false
	}
	return r.frames[seq+1-r.first:], true
}

// Len returns the number of frames held and their total size.
func (r *Replay) Len() (frames, bytes int) { return len(r.frames), r.bytes }
