// Package lock takes an exclusive flock(2) on a file, so that two runs of a
// job never overlap.
package lock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ErrBusy is the cause of a *BusyError: another process holds the lock.
var ErrBusy = errors.New("another run holds the lock")

// BusyError says that the lock stayed busy, and for how long it was waited
// for.
type BusyError struct {
	Path   string
	Waited time.Duration // 0: not waited for
	Err    error         // ErrBusy, or the context's error that ended the wait
}

func (e *BusyError) Error() string {
	if e.Waited > 0 {
		return fmt.Sprintf("%s: %v (waited %v)", e.Path, ErrBusy, e.Waited.Round(time.Millisecond))
	}
	return fmt.Sprintf("%s: %v", e.Path, ErrBusy)
}

// Unwrap returns ErrBusy and, when a context ended the wait, its error.
func (e *BusyError) Unwrap() []error { return []error{ErrBusy, e.Err} }

// Lock is a held lock.
type Lock struct {
	f      *os.File
	Waited time.Duration // how long taking it took
}

// File returns the locked file. The lock is the open file's, not the
// descriptor's: a process that inherits a descriptor of it (a job started
// with it in its ExtraFiles) holds the lock as long as it keeps the
// descriptor, even after this process has died, as with flock(1).
func (l *Lock) File() *os.File { return l.f }

// Release closes this process's descriptor of the lock. The lock is free
// once every process that inherited the file has closed it too.
func (l *Lock) Release() error { return l.f.Close() }

// Acquire takes an exclusive flock(2) on path, creating the file if needed
// (see open for what it refuses to open, and why). The lock is taken in one
// step on an open descriptor: there is no check then take, and a lock whose
// holder died is free (the kernel releases it once the last descriptor of
// its open file is closed). The descriptor is close-on-exec: a child holds
// the lock only when it is handed File, as the job is. When the lock is
// busy Acquire tries again, with a short
// backoff, until ctx ends or wait has passed (wait 0: it does not wait);
// then it returns a *BusyError. busy, if not nil, is called once when
// Acquire starts to wait.
func Acquire(ctx context.Context, path string, wait time.Duration, busy func()) (*Lock, error) {
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	var deadline <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		deadline = t.C
	}
	backoff := time.Millisecond
	for {
		err := flock(f)
		if err == nil {
			return &Lock{f: f, Waited: time.Since(start)}, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if wait <= 0 {
			f.Close()
			return nil, &BusyError{Path: path, Err: ErrBusy}
		}
		if busy != nil {
			busy()
			busy = nil
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-deadline:
			t.Stop()
			f.Close()
			return nil, &BusyError{Path: path, Waited: time.Since(start), Err: ErrBusy}
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, &BusyError{Path: path, Waited: time.Since(start), Err: ctx.Err()}
		}
		backoff = min(2*backoff, 50*time.Millisecond)
	}
}

func flock(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
