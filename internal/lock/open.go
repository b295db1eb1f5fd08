package lock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/opkuma/opkuma/internal/filetype"
)

// ErrUnsafeSymlink is the cause of the error for a lock path that is a
// symlink in a world-writable sticky directory (such as /tmp) that is not
// followed: see open.
var ErrUnsafeSymlink = errors.New("symlink in a world-writable sticky directory")

// NotRegularError says that the lock path names something other than a
// regular file: a FIFO, a device, a socket.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: not a regular file (%s)", e.Path, filetype.Name(e.Mode))
}

// openFlags open the lock file so that open(2) itself cannot block or
// take a terminal: O_NONBLOCK makes opening a FIFO without a writer (or a
// modem line without carrier) return at once, and O_NOCTTY keeps a
// terminal from becoming opkuma's. Whatever that opened is then refused
// unless it is a regular file. os.File.Fd, called before flock, puts
// the descriptor back in blocking mode.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY

// open opens the lock file at path, creating it (mode 0644) when missing.
// It refuses what is not a regular file (a *NotRegularError), and, as
// Linux's fs.protected_symlinks does (which may be off), a symlink in a
// world-writable sticky directory unless the caller or the directory's
// owner owns it: another user could point it anywhere, such as at a file
// that only the caller (root) may write. Through a symlink there it never
// creates the target: a dangling one is an error. Errors wrap
// ErrUnsafeSymlink, a *NotRegularError or the *fs.PathError of open(2).
func open(path string) (*os.File, error) {
	// O_NOFOLLOW: a symlink is looked at first, and one put there between
	// that look and this open is not followed.
	f, err := os.OpenFile(path, openFlags|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		// ELOOP for a symlink; some kernels say EACCES for another
		// user's symlink in a sticky directory.
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			f, err = openSymlink(path, fi)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("opening lock file: %w", &NotRegularError{Path: path, Mode: fi.Mode()})
	}
	return f, nil
}

// openSymlink opens path, the symlink link, by the rules of open.
func openSymlink(path string, link fs.FileInfo) (*os.File, error) {
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	linkUID, dirUID := owner(link), owner(dir)
	if !sharedDir(dir.Mode()) {
		return os.OpenFile(path, openFlags|os.O_CREATE, 0o644)
	}
	if !mayFollow(linkUID, dirUID, uint32(os.Geteuid())) {
		return nil, fmt.Errorf("%s: %w, owned by uid %d: not followed", path, ErrUnsafeSymlink, linkUID)
	}
	f, err := os.OpenFile(path, openFlags, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w, to a missing file: not created", path, ErrUnsafeSymlink)
	}
	return f, err
}

// sharedDir reports whether a directory of mode m is world-writable and
// sticky, as /tmp is: anyone may put a name there.
func sharedDir(m fs.FileMode) bool {
	return m&fs.ModeSticky != 0 && m.Perm()&0o002 != 0
}

// mayFollow is fs.protected_symlinks' rule for a symlink in a shared
// directory: it is followed only by its owner, or when the directory's
// owner owns it too.
func mayFollow(linkUID, dirUID, uid uint32) bool {
	return linkUID == uid || linkUID == dirUID
}

func owner(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return 0
}
