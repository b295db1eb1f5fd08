package pusher

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/opkuma/opkuma/internal/filetype"
)

// What ReadURLFile finds wrong with a file, in a *URLFileError.
var (
	ErrURLFileNotRegular = errors.New("not a regular file")
	ErrURLFileReadable   = errors.New("readable by group or others")
	ErrURLFileNoURL      = errors.New("no URL in it")
)

// URLFileError is the error of ReadURLFile: the file and what is wrong
// with it. Err is ErrURLFileNotRegular (then Mode is the file's mode, its
// type included), ErrURLFileReadable (then Mode is the file's
// permissions), ErrURLFileNoURL, or the error of the step Op ("open",
// "stat" or "read"; "" for the others).
type URLFileError struct {
	Op   string
	Path string
	Mode fs.FileMode
	Err  error
}

// Error says what is wrong, after the path; an error of open or stat
// names the path itself.
func (e *URLFileError) Error() string {
	switch {
	case e.Op == "open" || e.Op == "stat":
		return e.Err.Error()
	case errors.Is(e.Err, ErrURLFileReadable):
		return fmt.Sprintf("%s: %v (mode %04o)", e.Path, e.Err, e.Mode)
	case errors.Is(e.Err, ErrURLFileNotRegular):
		return fmt.Sprintf("%s: %v (%s)", e.Path, e.Err, filetype.Name(e.Mode))
	}
	return e.Path + ": " + redactText(e.Err.Error(), "")
}

// Unwrap returns Err.
func (e *URLFileError) Unwrap() error { return e.Err }

// urlFileFlags open a URL file so that open(2) cannot block or take a
// terminal: a FIFO without a writer opens at once (and is then refused),
// and a terminal does not become the process's.
const urlFileFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY

// ReadURLFile returns the first non-empty line of the file at path that is
// not a # comment (a leading UTF-8 byte order mark ignored): a push URL
// kept out of command lines and ps output. It never blocks on opening:
// anything but a regular file (a FIFO, a device, a socket, a directory) is
// refused. Unless insecure is true, a file that group or others can read
// is refused, as ssh refuses such a key. Errors are *URLFileError.
func ReadURLFile(path string, insecure bool) (string, error) {
	f, err := os.OpenFile(path, urlFileFlags, 0)
	if err != nil {
		return "", &URLFileError{Op: "open", Path: path, Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", &URLFileError{Op: "stat", Path: path, Err: err}
	}
	if !fi.Mode().IsRegular() {
		return "", &URLFileError{Path: path, Mode: fi.Mode(), Err: ErrURLFileNotRegular}
	}
	if perm := fi.Mode().Perm(); perm&0o044 != 0 && !insecure {
		return "", &URLFileError{Path: path, Mode: perm, Err: ErrURLFileReadable}
	}
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		line := sc.Text()
		if first {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return line, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", &URLFileError{Op: "read", Path: path, Err: err}
	}
	return "", &URLFileError{Path: path, Err: ErrURLFileNoURL}
}
