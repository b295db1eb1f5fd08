package output

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// DefaultSpoolMemory is how much output a Spool keeps in memory before it
// moves to a temporary file.
const DefaultSpoolMemory = 1 << 20

// Spool keeps a child's stdout and stderr in the order they were written,
// to print them later only if the run failed (as chronic does). It holds up
// to a memory limit, then moves to a temporary file that is unlinked at
// once, so it disappears even if opkuma is killed. Writes never fail: a
// child must never block or die because its output is being kept.
type Spool struct {
	mu       sync.Mutex
	mem      bytes.Buffer
	memLimit int
	dir      string
	file     *os.File
	err      error // first error keeping output; later output is dropped
	dropped  int64
}

// NewSpool returns a Spool that holds memLimit bytes in memory, then spills
// to a file in dir ("" for the system's temporary directory).
func NewSpool(memLimit int, dir string) *Spool {
	return &Spool{memLimit: memLimit, dir: dir}
}

// Stdout returns the writer for the child's stdout.
func (s *Spool) Stdout() io.Writer { return spoolWriter{s, 1} }

// Stderr returns the writer for the child's stderr.
func (s *Spool) Stderr() io.Writer { return spoolWriter{s, 2} }

type spoolWriter struct {
	s      *Spool
	stream byte
}

func (w spoolWriter) Write(p []byte) (int, error) {
	w.s.write(w.stream, p)
	return len(p), nil
}

// A record is a stream byte, a 4-byte length and the bytes.
const recordHeader = 5

func (s *Spool) write(stream byte, p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		s.dropped += int64(len(p))
		return
	}
	var hdr [recordHeader]byte
	hdr[0] = stream
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(p)))
	if s.file == nil && s.mem.Len()+len(hdr)+len(p) > s.memLimit {
		f, err := os.CreateTemp(s.dir, "opkuma-output-*")
		if err == nil {
			err = os.Remove(f.Name())
			if err == nil {
				_, err = f.Write(s.mem.Bytes())
			}
			if err != nil {
				f.Close()
			}
		}
		if err != nil {
			s.err = fmt.Errorf("keeping output in a temporary file: %w", err)
			s.dropped += int64(len(p))
			return
		}
		s.file = f
		s.mem = bytes.Buffer{}
	}
	if s.file == nil {
		s.mem.Write(hdr[:])
		s.mem.Write(p)
		return
	}
	_, err := s.file.Write(hdr[:])
	if err == nil {
		_, err = s.file.Write(p)
	}
	if err != nil {
		s.err = fmt.Errorf("keeping output in a temporary file: %w", err)
		s.dropped += int64(len(p))
	}
}

// Replay writes the kept output to stdout and stderr, in the order the child
// wrote it. When some output could not be kept, it returns an error saying
// how much was lost, after replaying the rest.
func (s *Spool) Replay(stdout, stderr io.Writer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r io.Reader = bytes.NewReader(s.mem.Bytes())
	if s.file != nil {
		if _, err := s.file.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("replaying output: %w", err)
		}
		r = s.file
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var hdr [recordHeader]byte
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fmt.Errorf("replaying output: %w", err)
		}
		w := stdout
		if hdr[0] == 2 {
			w = stderr
		}
		n := int64(binary.BigEndian.Uint32(hdr[1:]))
		if _, err := io.CopyN(w, br, n); err != nil {
			return fmt.Errorf("replaying output: %w", err)
		}
	}
	if s.err != nil {
		return fmt.Errorf("%w (%d bytes of output lost)", s.err, s.dropped)
	}
	return nil
}

// Close releases the temporary file, if any.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}
