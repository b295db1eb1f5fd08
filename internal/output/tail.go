package output

import (
	"bytes"
	"strings"
	"sync"
)

// DefaultTailSize is how much of each output stream Tail keeps by default.
const DefaultTailSize = 4 << 10

// Tail is an io.Writer that keeps the last bytes written to it in a
// fixed-size ring, so memory stays flat however much a child prints.
// It is safe for concurrent use.
type Tail struct {
	mu   sync.Mutex
	buf  []byte
	next int  // where the next byte goes
	full bool // the ring has wrapped
}

// NewTail returns a Tail that keeps the last size bytes (size > 0).
func NewTail(size int) *Tail {
	return &Tail{buf: make([]byte, size)}
}

// Write keeps the end of p. It never fails.
func (t *Tail) Write(p []byte) (int, error) {
	n := len(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	size := len(t.buf)
	if len(p) >= size {
		copy(t.buf, p[len(p)-size:])
		t.next, t.full = 0, true
		return n, nil
	}
	c := copy(t.buf[t.next:], p)
	if c < len(p) {
		copy(t.buf, p[c:])
		t.full = true
	}
	t.next = (t.next + len(p)) % size
	if t.next == 0 && len(p) > 0 {
		t.full = true
	}
	return n, nil
}

// Bytes returns a copy of what the ring holds, oldest byte first.
func (t *Tail) Bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.full {
		return append([]byte(nil), t.buf[:t.next]...)
	}
	return append(append([]byte(nil), t.buf[t.next:]...), t.buf[:t.next]...)
}

// LastLine returns the last line holding something other than white space,
// trimmed; "" when there is none.
func (t *Tail) LastLine() string {
	b := bytes.TrimRight(t.Bytes(), " \t\r\n\f\v\x00")
	if i := bytes.LastIndexAny(b, "\r\n"); i >= 0 {
		b = b[i+1:]
	}
	return strings.TrimSpace(string(b))
}
