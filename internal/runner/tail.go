package runner

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultTailSize is how much of each output stream Tail keeps by default.
const DefaultTailSize = 4 << 10

// MaxSummaryLen is the longest FailureMessage, in characters.
const MaxSummaryLen = 250

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

// FailureMessage says in one line how a failed run ended, for a down push:
// "exit 3: <last line of stderr, else of stdout>", "killed by SIGTERM",
// "timed out after 5m", "command not found". It is valid UTF-8 without
// control characters, at most MaxSummaryLen characters.
func FailureMessage(r Result, stderr, stdout *Tail) string {
	msg := r.Describe()
	if r.Err == nil && !r.TimedOut && r.Signal == 0 {
		for _, t := range []*Tail{stderr, stdout} {
			if t == nil {
				continue
			}
			if line := cleanLine(t.LastLine()); line != "" {
				msg += ": " + line
				break
			}
		}
	}
	return truncate(msg, MaxSummaryLen)
}

// cleanLine makes s valid UTF-8 and drops control characters (tabs become
// spaces), so it shows as one line in Uptime Kuma and in alerts.
func cleanLine(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// truncate cuts s to at most n characters, ending in "..." when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-3]) + "..."
}

// ShortDuration formats d without trailing zero units: 5m, 1h30m, 1.5s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Tee returns a writer that writes to every w and never fails: a reader
// that went away (a closed stdout) must not stop the copy, or the child
// would block on a full pipe.
func Tee(ws ...io.Writer) io.Writer { return tee(ws) }

type tee []io.Writer

func (t tee) Write(p []byte) (int, error) {
	for _, w := range t {
		_, _ = w.Write(p)
	}
	return len(p), nil
}
