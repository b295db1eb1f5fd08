package output

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// runWith runs sh -c script with c's streams, as job.Run does.
func runWith(t *testing.T, c *Capture, script string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Stdout, cmd.Stderr = c.Stdout(), c.Stderr()
	if c.Stdout() == nil || c.Stderr() == nil {
		t.Fatal("a stream was closed")
	}
	_ = cmd.Run()
	c.Started()
	if c.Finish(5 * time.Second) {
		t.Error("output cut")
	}
}

// TestCaptureFileReadBack: with only a tail to keep, a regular file is the
// job's own (no pipe), and its tail is read back from the file.
func TestCaptureFileReadBack(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("before the job\n")
	c, err := Start(f, f, Options{Tail: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Stdout() != f || c.Stderr() != f {
		t.Fatal("the file was not handed to the job as it is")
	}
	runWith(t, c, "echo out; echo last err >&2")
	stderr, stdout := c.LastLines()
	if stderr != "" || stdout != "last err" {
		t.Errorf("LastLines() = %q, %q; want one file's last line", stderr, stdout)
	}
}

// TestCaptureSpoolOrder: spooled stdout and stderr that are one pipe are
// replayed in the order written.
func TestCaptureSpoolOrder(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Start(w, w, Options{Spool: true, Tail: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Stdout() != c.Stderr() || c.Stdout() == w {
		t.Fatal("want one pipe of opkuma's for both streams")
	}
	runWith(t, c, "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done")
	if err := c.Replay(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	w.Close()
	b := make([]byte, 1024)
	n, _ := r.Read(b)
	want := "out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\nout5\nerr5\n"
	if string(b[:n]) != want {
		t.Errorf("replayed %q, want %q", b[:n], want)
	}
}

// TestCaptureRelay: a pipe that is not spooled gets all of the job's
// output, through more than one read of the relay.
func TestCaptureRelay(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make(chan int)
	go func() {
		b, _ := io.ReadAll(r)
		got <- len(b)
	}()
	c, err := Start(w, w, Options{Tail: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Stdout() == w {
		t.Fatal("want a pipe of opkuma's before the job's pipe")
	}
	const size = 200000 // more than one 64 KiB read
	runWith(t, c, "head -c 200000 /dev/zero")
	c.Close()
	w.Close()
	if n := <-got; n != size {
		t.Errorf("relayed %d bytes, want %d", n, size)
	}
}

// TestCaptureClosed: a closed stream stays closed for the job.
func TestCaptureClosed(t *testing.T) {
	c, err := Start(nil, os.Stderr, Options{Spool: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Stdout() != nil {
		t.Error("closed stdout given a pipe")
	}
}

// TestReaderGone: only a pipe or socket whose reader has gone counts.
func TestReaderGone(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	open, openW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	defer openW.Close()
	gone, goneW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	gone.Close()
	defer goneW.Close()
	for _, tc := range []struct {
		name string
		d    *os.File
		want bool
	}{
		{"regular file", file, false},
		{"pipe with its reader", openW, false},
		{"pipe whose reader closed", goneW, true},
	} {
		if got := readerGone(tc.d); got != tc.want {
			t.Errorf("%s: readerGone = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestWatch: watch calls gone when the pipe's reader goes, and not when
// the watch ends first; a regular file is not watched.
func TestWatch(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	called := make(chan struct{}, 1)
	stop := watch(w, func() { called <- struct{}{} })
	// The reader goes later, while the watch waits (not a wait for an
	// event: it makes a watch that stops polling early miss it).
	time.AfterFunc(50*time.Millisecond, func() { r.Close() })
	select {
	case <-called:
	case <-time.After(10 * time.Second):
		t.Fatal("gone not called after the reader closed")
	}
	stop()

	r2, w2, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	defer w2.Close()
	calls := 0
	watch(w2, func() { calls++ })()
	if calls != 0 {
		t.Errorf("gone called %d times for a reader still there", calls)
	}

	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	watch(file, func() { calls++ })()
	if calls != 0 {
		t.Errorf("gone called %d times for a regular file", calls)
	}
}
