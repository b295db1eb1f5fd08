package runner

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// defaultPath is the PATH sh searches when the environment has none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// ErrNotFound is the cause of a StartError for a program that is not there.
var ErrNotFound = errors.New("not found")

// StartError says why a program did not start. Err is ErrNotFound, or the
// system's error: fs.ErrPermission for a file that may not be executed.
type StartError struct {
	Name string // the program as given
	Err  error
}

// Error returns the message sh gives: "NAME: not found", "NAME: Permission
// denied".
func (e *StartError) Error() string {
	if errors.Is(e.Err, ErrNotFound) {
		return e.Name + ": not found"
	}
	msg := e.Err.Error()
	var errno syscall.Errno
	if errors.As(e.Err, &errno) && msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return e.Name + ": " + msg
}

// Unwrap returns the cause.
func (e *StartError) Unwrap() error { return e.Err }

// ExitCode is the code sh exits with when a program does not start: 127
// when it is not there, else 126.
func (e *StartError) ExitCode() int {
	if errors.Is(e.Err, ErrNotFound) {
		return ExitNotFound
	}
	return ExitNotExecutable
}

// LookPath finds the file execvp would run for name, the way sh does: a name
// holding a / is used as it is; else each directory of the PATH in env
// (defaultPath when unset) is tried in turn, an empty or relative entry
// meaning a directory relative to the working directory dir, and the first
// regular file found is the one, executable or not. The error is a
// *StartError.
func LookPath(name string, env []string, dir string) (string, error) {
	if strings.Contains(name, "/") {
		if _, err := os.Stat(inDir(dir, name)); errors.Is(err, fs.ErrNotExist) {
			return "", &StartError{Name: name, Err: ErrNotFound}
		}
		return name, nil
	}
	path, ok := lookupEnv(env, "PATH")
	if !ok {
		path = defaultPath
	}
	for _, d := range strings.Split(path, ":") {
		if d == "" {
			d = "."
		}
		p := d + "/" + name
		if fi, err := os.Stat(inDir(dir, p)); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", &StartError{Name: name, Err: ErrNotFound}
}

// inDir returns path as seen from the working directory dir.
func inDir(dir, path string) string {
	if dir == "" || strings.HasPrefix(path, "/") {
		return path
	}
	return dir + "/" + path
}

// lookupEnv returns the first value of name in env, as getenv(3) does.
func lookupEnv(env []string, name string) (string, bool) {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}
