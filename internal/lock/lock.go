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

// Release lets the lock go.
func (l *Lock) Release() error { return l.f.Close() }

// Acquire takes an exclusive flock(2) on path, creating the file if needed.
// The lock is taken in one step on an open descriptor: there is no check
// then take, and a lock whose holder died is free (the kernel releases it
// with the holder's descriptors). The descriptor is not inherited by
// children. When the lock is busy Acquire tries again, with a short
// backoff, until ctx ends or wait has passed (wait 0: it does not wait);
// then it returns a *BusyError. busy, if not nil, is called once when
// Acquire starts to wait.
func Acquire(ctx context.Context, path string, wait time.Duration, busy func()) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
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
