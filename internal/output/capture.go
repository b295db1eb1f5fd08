// Package output carries a job's stdout and stderr to where they go while
// keeping what opkuma needs of them: the last bytes for a down message
// (Tail), its first and last bytes to print only on failure (Spool).
package output

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Options says what a Capture keeps.
type Options struct {
	// Tail keeps the last TailSize bytes (0: DefaultTailSize) of each
	// stream, for LastLines.
	Tail     bool
	TailSize int
	// Spool keeps the output, in order, and writes none of it until
	// Replay: the job's output is shown only when it failed. It keeps the
	// first SpoolHead and the last SpoolTail bytes (0: the package's
	// SpoolHead and SpoolTail).
	Spool                bool
	SpoolHead, SpoolTail int
}

// Capture stands between a job and opkuma's stdout and stderr. It changes
// nothing the job can see that it does not have to: a closed stream stays
// closed; stdout and stderr that are one file (">log 2>&1") share one pipe,
// so their order is kept; with only a tail to keep, a terminal or a regular
// file is handed to the job as it is (a file's tail is read back
// afterwards), and a pipe whose reader goes away is closed to the job, so
// that it meets EPIPE or SIGPIPE as it would alone.
type Capture struct {
	dest   [2]*os.File // opkuma's stdout and stderr
	child  [2]*os.File // the job's descriptors 1 and 2
	relays []*relay
	tails  [2]*Tail    // stderr's, stdout's... indexed as dest
	files  [2]fileTail // tails read back from regular files
	spool  *Spool
	// unwatch end the watches on the readers of opkuma's pipes.
	unwatch []func()
}

// fileTail is a regular file handed to the job, whose tail is read back.
type fileTail struct {
	f     *os.File
	start int64 // the file offset when the job started
}

// Start prepares the job's stdout and stderr. Once the job has exited, call
// Started, then Finish; Close at the end.
func Start(stdout, stderr *os.File, o Options) (*Capture, error) {
	c := &Capture{dest: [2]*os.File{stdout, stderr}, child: [2]*os.File{stdout, stderr}}
	if !o.Tail && !o.Spool {
		return c, nil
	}
	size := o.TailSize
	if size <= 0 {
		size = DefaultTailSize
	}
	if o.Spool {
		head, tail := o.SpoolHead, o.SpoolTail
		if head <= 0 {
			head = SpoolHead
		}
		if tail <= 0 {
			tail = SpoolTail
		}
		c.spool = NewSpool(head, tail)
	}
	same := SameFile(stdout, stderr)
	for i, d := range c.dest {
		if d == nil || (i == 1 && same) {
			continue // closed, or carried with stdout
		}
		if o.Tail {
			c.tails[i] = NewTail(size)
		}
		if !o.Spool && (term.IsTerminal(int(d.Fd())) || readerGone(d) || c.readBack(i, d)) {
			continue
		}
		if err := c.pipe(i, same); err != nil {
			c.Close()
			return nil, err
		}
	}
	if same {
		c.child[1] = c.child[0]
	}
	return c, nil
}

// readBack hands the regular file d to the job as it is and arranges to
// read its tail back afterwards. It reports false when that cannot be done.
func (c *Capture) readBack(i int, d *os.File) bool {
	fi, err := d.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	r, err := reopen(d)
	if err != nil {
		return false
	}
	off, err := unix.Seek(int(d.Fd()), 0, io.SeekCurrent)
	if err != nil {
		r.Close()
		return false
	}
	c.files[i] = fileTail{f: r, start: off}
	return true
}

// reopen opens the file behind d again, for reading.
func reopen(d *os.File) (*os.File, error) {
	return os.Open(fmt.Sprintf("/proc/self/fd/%d", d.Fd()))
}

func (c *Capture) pipe(i int, same bool) error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("making a pipe for the job's output: %w", err)
	}
	rl := &relay{r: r, dest: c.dest[i], done: make(chan struct{})}
	var keep []io.Writer
	if c.tails[i] != nil {
		keep = append(keep, c.tails[i])
	}
	if c.spool != nil {
		rl.dest = nil
		if i == 0 {
			keep = append(keep, c.spool.Stdout())
		} else {
			keep = append(keep, c.spool.Stderr())
		}
	}
	rl.keep = keep
	c.child[i] = w
	c.relays = append(c.relays, rl)
	if rl.dest != nil {
		c.unwatch = append(c.unwatch, watch(rl.dest, func() { rl.r.Close() }))
	}
	go rl.run()
	return nil
}

// Stdout returns the job's descriptor 1; nil: closed.
func (c *Capture) Stdout() *os.File { return c.child[0] }

// Stderr returns the job's descriptor 2; nil: closed.
func (c *Capture) Stderr() *os.File { return c.child[1] }

// Started closes opkuma's copies of the pipes the job writes to (call it
// once the job has started, or exited), so that their readers see the end
// when the job and its children close theirs.
func (c *Capture) Started() {
	for i, w := range c.child {
		if w != nil && w != c.dest[i] && (i == 0 || w != c.child[0]) {
			w.Close()
		}
	}
}

// Finish waits until the job's output has all been carried, at most wait:
// a process the job left in the background may hold its pipes open. Then it
// closes them; it reports whether it had to.
func (c *Capture) Finish(wait time.Duration) (cut bool) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for _, rl := range c.relays {
		select {
		case <-rl.done:
		case <-t.C:
			cut = true
			for _, rl := range c.relays {
				rl.r.Close()
			}
			for _, rl := range c.relays {
				<-rl.done
			}
			return cut
		}
	}
	return false
}

// LastLines returns the last non-blank line of the job's stderr, then of
// its stdout (of both when they are one file), each "" when there is none.
func (c *Capture) LastLines() (stderr, stdout string) {
	return c.lastLine(1), c.lastLine(0)
}

func (c *Capture) lastLine(i int) string {
	if ft := c.files[i]; ft.f != nil {
		end, err := unix.Seek(int(c.dest[i].Fd()), 0, io.SeekCurrent)
		if err != nil || end <= ft.start {
			return ""
		}
		size := int64(DefaultTailSize)
		if t := c.tails[i]; t != nil {
			size = int64(len(t.buf))
		}
		from := max(ft.start, end-size)
		b := make([]byte, end-from)
		n, _ := ft.f.ReadAt(b, from)
		t := NewTail(len(b) + 1)
		t.Write(b[:n])
		return t.LastLine()
	}
	if t := c.tails[i]; t != nil {
		return t.LastLine()
	}
	return ""
}

// Replay writes the spooled output to opkuma's stdout and stderr, in the
// order the job wrote it: see Spool.Replay.
func (c *Capture) Replay() error {
	if c.spool == nil {
		return nil
	}
	out, err := writerOf(c.dest[0]), writerOf(c.dest[1])
	return c.spool.Replay(out, err)
}

func writerOf(f *os.File) io.Writer {
	if f == nil {
		return io.Discard
	}
	return f
}

// Close releases the pipes and read-back files.
func (c *Capture) Close() error {
	for _, stop := range c.unwatch {
		stop()
	}
	for _, rl := range c.relays {
		rl.r.Close()
	}
	for _, ft := range c.files {
		if ft.f != nil {
			ft.f.Close()
		}
	}
	return nil
}

// relay carries one pipe from the job to dest, keeping copies in keep.
type relay struct {
	r    *os.File
	dest *os.File // nil: keep only
	keep []io.Writer
	done chan struct{}
}

func (rl *relay) run() {
	defer close(rl.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := rl.r.Read(buf)
		if n > 0 {
			for _, k := range rl.keep {
				k.Write(buf[:n])
			}
			if rl.dest != nil {
				if _, werr := rl.dest.Write(buf[:n]); werr != nil {
					// Where the output goes is gone (EPIPE) or failing:
					// the job meets that on its next write, as it would
					// alone, instead of writing on into a void.
					rl.r.Close()
					return
				}
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				rl.r.Close()
			}
			return
		}
	}
}

// SameFile reports whether a and b are one file (device and inode), as
// stdout and stderr are after ">log 2>&1".
func SameFile(a, b *os.File) bool {
	if a == nil || b == nil {
		return false
	}
	var sa, sb unix.Stat_t
	return unix.Fstat(int(a.Fd()), &sa) == nil && unix.Fstat(int(b.Fd()), &sb) == nil &&
		sa.Dev == sb.Dev && sa.Ino == sb.Ino
}
