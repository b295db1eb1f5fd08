package runner

import (
	"errors"
	"testing"
	"time"
)

func TestLock(t *testing.T) {
	path := t.TempDir() + "/job.lock"
	release, err := Lock(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	// flock conflicts between open files even in one process.
	if _, err := Lock(path, 0); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	if _, err := Lock(path, 50*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock with wait: %v, want ErrLocked", err)
	}

	// A waiter gets the lock as soon as the holder releases it.
	got := make(chan error, 1)
	go func() {
		r, err := Lock(path, time.Minute)
		if err == nil {
			r()
		}
		got <- err
	}()
	release()
	if err := <-got; err != nil {
		t.Fatalf("waiting lock: %v", err)
	}

	if _, err := Lock(t.TempDir()+"/no/dir/x.lock", 0); err == nil || errors.Is(err, ErrLocked) {
		t.Fatalf("lock in a missing directory: %v, want an open error", err)
	}
}
