package lock

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestAcquireBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.lock")
	held, err := Acquire(context.Background(), path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// No wait: busy at once.
	_, err = Acquire(context.Background(), path, 0, nil)
	var be *BusyError
	if !errors.Is(err, ErrBusy) || !errors.As(err, &be) || be.Waited != 0 {
		t.Fatalf("err = %v, want a *BusyError without wait", err)
	}
	// A wait that runs out says how long it waited.
	called := 0
	_, err = Acquire(context.Background(), path, 50*time.Millisecond, func() { called++ })
	if !errors.As(err, &be) || be.Waited < 50*time.Millisecond || called != 1 {
		t.Fatalf("err = %v (waited %v), busy called %d times; want a wait of 50ms, one call", err, be.Waited, called)
	}
	// A context that ends stops the wait, with its error.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Acquire(ctx, path, time.Hour, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrBusy) || time.Since(start) > 10*time.Second {
		t.Fatalf("err = %v after %v, want the context's deadline", err, time.Since(start))
	}
	// Released: free at once, and a waiter gets it.
	done := make(chan error)
	go func() {
		l, err := Acquire(context.Background(), path, time.Minute, func() { held.Release() })
		if err == nil {
			l.Release()
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}

// TestAcquireDeadHolder: a lock whose holder was killed (kill -9) is free.
func TestAcquireDeadHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.lock")
	holder := exec.Command("flock", "-o", path, "sleep", "60")
	holder.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // to kill its sleep too
	if err := holder.Start(); err != nil {
		t.Skipf("flock(1): %v", err)
	}
	defer holder.Wait()
	for start := time.Now(); ; {
		l, err := Acquire(context.Background(), path, 0, nil)
		if errors.Is(err, ErrBusy) {
			break // the holder has it
		}
		if err == nil {
			l.Release()
		}
		if time.Since(start) > 10*time.Second {
			holder.Process.Kill()
			t.Fatal("flock(1) never took the lock")
		}
	}
	syscall.Kill(-holder.Process.Pid, syscall.SIGKILL)
	holder.Wait()
	// flock -o forks its command before that closes the lock's fd: the
	// killed fork may hold it a moment longer than flock itself. The kernel
	// releases it when the last holder exits, so wait for that.
	l, err := Acquire(context.Background(), path, 10*time.Second, nil)
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	l.Release()
}

func TestAcquireNoFile(t *testing.T) {
	_, err := Acquire(context.Background(), filepath.Join(t.TempDir(), "no", "dir", "x.lock"), 0, nil)
	if err == nil || errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want an open error", err)
	}
}

// TestBusyErrorMessage: the wait is named only when there was one.
func TestBusyErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		waited time.Duration
		want   string
	}{
		{0, "/run/job.lock: " + ErrBusy.Error()},
		{1500 * time.Microsecond, "/run/job.lock: " + ErrBusy.Error() + " (waited 2ms)"},
	} {
		err := &BusyError{Path: "/run/job.lock", Waited: tc.waited, Err: ErrBusy}
		if got := err.Error(); got != tc.want {
			t.Errorf("Waited %v: Error() = %q, want %q", tc.waited, got, tc.want)
		}
	}
}
