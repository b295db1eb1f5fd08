package pusher

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Catches: a file group or others can read accepted without insecure, a
// comment or blank line taken for the URL, an error that is not a
// *URLFileError of the right kind, or one that speaks a flag name; a
// leading byte order mark kept (the TrimPrefix removed); a FIFO without a
// writer opened blocking (O_NONBLOCK dropped from urlFileFlags: the test
// then hangs until its timeout).
func TestReadURLFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "# the backup\n\n  https://k/api/push/T  \nhttps://k/api/push/Second\n", 0o600)
	open := write("open", "https://k/api/push/T\n", 0o644)
	empty := write("empty", "# nothing\n\n", 0o600)
	bom := write("bom", "\uFEFFhttps://k/api/push/T\r\n", 0o600)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path     string
		insecure bool
		want     string
		err      error  // what the *URLFileError wraps
		msg      string // its text
	}{
		{good, false, "https://k/api/push/T", nil, ""},
		{open, true, "https://k/api/push/T", nil, ""},
		{open, false, "", ErrURLFileReadable, open + ": readable by group or others (mode 0644)"},
		{empty, false, "", ErrURLFileNoURL, empty + ": no URL in it"},
		{dir, false, "", ErrURLFileNotRegular, dir + ": not a regular file (a directory)"},
		{fifo, false, "", ErrURLFileNotRegular, fifo + ": not a regular file (a FIFO)"},
		{os.DevNull, false, "", ErrURLFileNotRegular, os.DevNull + ": not a regular file (a character device)"},
		{bom, false, "https://k/api/push/T", nil, ""},
		{filepath.Join(dir, "nope"), false, "", fs.ErrNotExist, "open " + filepath.Join(dir, "nope") + ": no such file or directory"},
	} {
		got, err := ReadURLFile(tc.path, tc.insecure)
		if tc.err == nil {
			if err != nil || got != tc.want {
				t.Errorf("ReadURLFile(%s, %v) = %q, %v; want %q", tc.path, tc.insecure, got, err, tc.want)
			}
			continue
		}
		var fe *URLFileError
		if !errors.As(err, &fe) || !errors.Is(err, tc.err) || fe.Path != tc.path || err.Error() != tc.msg || strings.Contains(err.Error(), "--") {
			t.Errorf("ReadURLFile(%s, %v): %#v (%v), want a *URLFileError wrapping %v: %q", tc.path, tc.insecure, err, err, tc.err, tc.msg)
		}
	}
}
