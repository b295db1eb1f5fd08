package output

import (
	"fmt"
	"io"
	"sync"
)

// SpoolHead and SpoolTail bound what a Spool keeps of a job's output: its
// first SpoolHead bytes and its last SpoolTail bytes. What lies between is
// left out and counted. Both are kept in memory: 2 MiB is more than anyone
// reads in a cron mail, and without a temporary file a job that prints
// without end (yes) can fill neither the disk nor the memory, and there is
// no write that can fail.
const (
	SpoolHead = 1 << 20
	SpoolTail = 1 << 20
)

// maxRuns bounds how many changes from one stream to the other each of the
// head and the tail records (16 bytes each): a job that switches streams
// every few bytes has less of its output kept, in bytes, not more memory.
const maxRuns = 1 << 14

// Spool keeps a job's stdout and stderr in the order they were written, to
// print them later only if the job failed (as chronic does): the first and
// the last bytes of it, in memory. Writes never fail: a job must never
// block or die because its output is being kept.
type Spool struct {
	mu       sync.Mutex
	maxRuns  int
	headSize int
	head     []byte
	headRuns []run // in the head, from offset 0
	headDone bool  // the head is full: later bytes go to the tail
	tail     *Tail // the last bytes past the head; nil until there are some
	tailSize int
	tailRuns []run // the last maxRuns runs past the head; the first may start before the tail's bytes
	cut      int64 // no byte before this offset is in the tail
	total    int64 // bytes written
}

// run is where a stretch of one stream's output starts.
type run struct {
	off    int64
	stream byte // 1: stdout, 2: stderr
}

// NewSpool returns a Spool that keeps the first head and the last tail
// bytes written to it (each > 0).
func NewSpool(head, tail int) *Spool {
	return &Spool{maxRuns: maxRuns, headSize: head, tailSize: tail}
}

// Stdout returns the writer for the job's stdout.
func (s *Spool) Stdout() io.Writer { return spoolWriter{s, 1} }

// Stderr returns the writer for the job's stderr.
func (s *Spool) Stderr() io.Writer { return spoolWriter{s, 2} }

type spoolWriter struct {
	s      *Spool
	stream byte
}

func (w spoolWriter) Write(p []byte) (int, error) {
	w.s.write(w.stream, p)
	return len(p), nil
}

func (s *Spool) write(stream byte, p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.headDone && len(p) > 0 {
		if len(s.headRuns) == 0 || s.headRuns[len(s.headRuns)-1].stream != stream {
			if len(s.headRuns) < s.maxRuns {
				s.headRuns = append(s.headRuns, run{s.total, stream})
			} else {
				s.headDone = true
			}
		}
		if !s.headDone {
			n := min(len(p), s.headSize-len(s.head))
			s.head = append(s.head, p[:n]...)
			s.total += int64(n)
			p = p[n:]
			s.headDone = len(s.head) == s.headSize
		}
		if s.headDone {
			s.cut = s.total
		}
	}
	if len(p) == 0 {
		return
	}
	if s.tail == nil {
		s.tail = NewTail(s.tailSize)
	}
	if len(s.tailRuns) == 0 || s.tailRuns[len(s.tailRuns)-1].stream != stream {
		s.tailRuns = append(s.tailRuns, run{s.total, stream})
	}
	s.tail.Write(p)
	s.total += int64(len(p))
	// Past maxRuns, forget the oldest run: the tail starts where the
	// next one does, if the ring has not gone past that already.
	if len(s.tailRuns) > s.maxRuns {
		s.tailRuns = s.tailRuns[1:] // append copies the rest when it grows
		s.cut = max(s.cut, s.tailRuns[0].off)
	}
}

// tailStart is the offset of the first byte the tail keeps.
func (s *Spool) tailStart() int64 {
	return max(s.cut, s.total-int64(s.tailSize))
}

// Replay writes the kept output to stdout and stderr, in the order the job
// wrote it. When some was left out, a line on stderr between the head and
// the tail says how much (after a newline that ends the head's last line,
// in its stream). It returns the first error writing.
func (s *Spool) Replay(stdout, stderr io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := func(stream byte) io.Writer {
		if stream == 2 {
			return stderr
		}
		return stdout
	}
	if err := replayRuns(s.head, 0, s.headRuns, w); err != nil {
		return err
	}
	if s.tail == nil {
		return nil
	}
	start := s.tailStart()
	if left := start - int64(len(s.head)); left > 0 {
		if n := len(s.head); n > 0 && s.head[n-1] != '\n' {
			if _, err := w(s.headRuns[len(s.headRuns)-1].stream).Write([]byte("\n")); err != nil {
				return fmt.Errorf("replaying output: %w", err)
			}
		}
		if _, err := fmt.Fprintf(stderr, "opkuma: %d bytes of output left out here\n", left); err != nil {
			return fmt.Errorf("replaying output: %w", err)
		}
	}
	b := s.tail.Bytes()
	b = b[len(b)-int(s.total-start):]
	return replayRuns(b, start, s.tailRuns, w)
}

// replayRuns writes b, the output from offset off on, split into runs.
func replayRuns(b []byte, off int64, runs []run, w func(byte) io.Writer) error {
	for i, r := range runs {
		from := max(r.off-off, 0)
		to := int64(len(b))
		if i+1 < len(runs) {
			to = runs[i+1].off - off
		}
		if to <= from {
			continue
		}
		if _, err := w(r.stream).Write(b[from:to]); err != nil {
			return fmt.Errorf("replaying output: %w", err)
		}
	}
	return nil
}
