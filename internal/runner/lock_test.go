package runner

import (
	"errors"
	"testing"
	"time"
)

func TestLock(t *testing.T) {
	path := t.TempDir() + "/job.lock"
	release, err := Lock(path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// flock conflicts between open files even in one process.
	if _, err := Lock(path, 0, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	// A wait that times out: on a file of its own, since the abandoned
	// flock may still take that lock, briefly, once it is free (opkuma
	// exits right after such a timeout).
	other := t.TempDir() + "/other.lock"
	releaseOther, err := Lock(other, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseOther()
	if _, err := Lock(other, 50*time.Millisecond, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock with wait: %v, want ErrLocked", err)
	}

	// A waiter gets the lock as soon as the holder releases it.
	got := make(chan error, 1)
	go func() {
		r, err := Lock(path, time.Minute, nil)
		if err == nil {
			r()
		}
		got <- err
	}()
	release()
	if err := <-got; err != nil {
		t.Fatalf("waiting lock: %v", err)
	}

	// A stop ends a long wait at once.
	release, err = Lock(path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	close(stop)
	start := time.Now()
	if _, err := Lock(path, time.Hour, stop); !errors.Is(err, ErrLocked) || time.Since(start) > 10*time.Second {
		t.Fatalf("stopped wait: %v after %v, want ErrLocked at once", err, time.Since(start))
	}
	release()

	if _, err := Lock(t.TempDir()+"/no/dir/x.lock", 0, nil); err == nil || errors.Is(err, ErrLocked) {
		t.Fatalf("lock in a missing directory: %v, want an open error", err)
	}
}
