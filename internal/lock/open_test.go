package lock

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A lock path that is not a regular file is refused at once, with what it
// is; a FIFO without a writer does not block open(2). Mutations caught:
// O_NONBLOCK dropped from openFlags (the FIFO row hangs), the IsRegular
// check dropped (both rows lock).
func TestAcquireNotRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, fifo + ": not a regular file (a FIFO)"},
		{os.DevNull, os.DevNull + ": not a regular file (a character device)"},
	} {
		done := make(chan error, 1)
		go func() {
			l, err := Acquire(context.Background(), tc.path, 0, nil)
			if err == nil {
				l.Release()
			}
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(30 * time.Second): // only a failing run gets here
			if w, err := os.OpenFile(tc.path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close() // lets the blocked open go
			}
			t.Fatalf("%s: open blocked", tc.path)
		}
		var nr *NotRegularError
		if !errors.As(err, &nr) || err.Error() != "opening lock file: "+tc.want {
			t.Errorf("%s: err = %v, want %q", tc.path, err, tc.want)
		}
	}
}

// A symlink in a world-writable sticky directory is followed only as
// fs.protected_symlinks would (its owner is the caller, or the
// directory's), and a dangling one there never creates its target; outside
// such a directory a symlink is followed and its target created. Mutations
// caught: mayFollow always true (row "other's link"), O_CREATE kept for a
// link in a shared directory (row "dangling, shared"), no O_CREATE for any
// link (row "dangling, private"), sharedDir ignoring the sticky bit (row
// "other's link, not sticky").
func TestAcquireSymlink(t *testing.T) {
	const other = 65534 // nobody
	root := os.Geteuid() == 0
	for _, tc := range []struct {
		name      string
		dirMode   fs.FileMode
		dirOwner  int // -1: the caller
		linkOwner int // -1: the caller
		dangling  bool
		wantErr   error // nil: locked
	}{
		{"own link, shared", 0o777 | fs.ModeSticky, -1, -1, false, nil},
		{"other's link", 0o777 | fs.ModeSticky, -1, other, false, ErrUnsafeSymlink},
		{"link of the dir's owner", 0o777 | fs.ModeSticky, other, other, false, nil},
		{"other's link, not sticky", 0o777, -1, other, false, nil},
		{"other's link, not world-writable", 0o755 | fs.ModeSticky, -1, other, false, nil},
		{"dangling, shared", 0o777 | fs.ModeSticky, -1, -1, true, ErrUnsafeSymlink},
		{"dangling, private", 0o755, -1, -1, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if (tc.dirOwner >= 0 || tc.linkOwner >= 0) && !root {
				t.Skip("needs root to chown")
			}
			base := t.TempDir()
			target := filepath.Join(base, "target")
			if !tc.dangling {
				if err := os.WriteFile(target, []byte("keep\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			dir := filepath.Join(base, "shared")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "job.lock")
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
			if tc.linkOwner >= 0 {
				if err := os.Lchown(path, tc.linkOwner, -1); err != nil {
					t.Fatal(err)
				}
			}
			if tc.dirOwner >= 0 {
				if err := os.Chown(dir, tc.dirOwner, -1); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(dir, tc.dirMode); err != nil {
				t.Fatal(err)
			}
			l, err := Acquire(context.Background(), path, 0, nil)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.HasPrefix(err.Error(), "opening lock file: "+path+": ") {
					t.Errorf("err = %v, want %v", err, tc.wantErr)
				}
				if _, err := os.Lstat(target); tc.dangling && err == nil {
					t.Error("the dangling link's target was created")
				}
				if err == nil {
					l.Release()
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want the lock", err)
			}
			defer l.Release()
			// The lock is the target's.
			if _, err := Acquire(context.Background(), target, 0, nil); !errors.Is(err, ErrBusy) {
				t.Errorf("the target is not locked: %v", err)
			}
		})
	}
}

// TestMayFollow is fs.protected_symlinks' rule, in a shared directory.
func TestMayFollow(t *testing.T) {
	for _, tc := range []struct {
		link, dir, caller uint32
		want              bool
	}{
		{0, 0, 0, true},
		{1000, 0, 0, false},
		{1000, 1000, 0, true},
		{1000, 0, 1000, true},
		{0, 0, 1000, true},
		{2000, 0, 1000, false},
	} {
		if got := mayFollow(tc.link, tc.dir, tc.caller); got != tc.want {
			t.Errorf("mayFollow(link %d, dir %d, caller %d) = %v, want %v", tc.link, tc.dir, tc.caller, got, tc.want)
		}
	}
}
