package runner

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// ErrLocked is returned by Lock when another process holds the lock.
var ErrLocked = errors.New("another run holds the lock")

// Lock takes an exclusive flock(2) on path, creating the file if needed, so
// that two runs of a job never overlap. With wait > 0 it waits that long for
// the holder to finish. The lock belongs to opkuma alone (the child does not
// inherit it) and the kernel releases it when opkuma exits, however it dies.
// It returns a func that releases the lock, or an error wrapping ErrLocked
// when the lock stayed busy. A value on stop ends the wait at once, with
// ErrLocked too.
func Lock(path string, wait time.Duration, stop <-chan struct{}) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	release = func() { f.Close() }
	err = flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) && wait > 0 {
		err = lockWithin(f, wait, stop)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			// The file is the waiting goroutine's to close.
			return nil, fmt.Errorf("%s: %w (waited %v)", path, ErrLocked, wait)
		}
	}
	switch {
	case err == nil:
		return release, nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	default:
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
}

// lockWithin blocks in flock(2) until the lock is free or wait has passed.
// A blocked flock cannot be cancelled: when time runs out the goroutine is
// left waiting, and when it gets the lock after all it closes the file,
// which releases the lock at once.
func lockWithin(f *os.File, wait time.Duration, stop <-chan struct{}) error {
	done := make(chan error) // unbuffered: a send succeeds only while lockWithin waits
	go func() {
		err := flock(f, syscall.LOCK_EX)
		select {
		case done <- err:
		default:
			f.Close()
		}
	}()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return syscall.EWOULDBLOCK
	case <-stop:
		return syscall.EWOULDBLOCK
	}
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
