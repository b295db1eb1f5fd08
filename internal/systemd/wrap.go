package systemd

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Why Tree.Wrap refuses a timer's service; its *WrapError wraps one.
var (
	// ErrWrapped: the service's command runs under the wrapper already
	// (not by the drop-in Wrap writes, which it replaces).
	ErrWrapped = errors.New("runs its job under the wrapper already")
	// ErrNotOneCommand: ExecStart= has no command, or several: which one
	// is the job is the user's to say.
	ErrNotOneCommand = errors.New("needs exactly one ExecStart= command to wrap")
	// ErrUnwrappable: the service is masked or has no unit file.
	ErrUnwrappable = errors.New("cannot be wrapped")
)

// WrapError is a service Tree.Wrap cannot wrap.
type WrapError struct {
	Service string
	Detail  string // e.g. "2 commands", "masked"
	Err     error  // ErrWrapped, ErrNotOneCommand or ErrUnwrappable
}

func (e *WrapError) Error() string {
	s := fmt.Sprintf("systemd: %s %v", e.Service, e.Err)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

func (e *WrapError) Unwrap() error { return e.Err }

// Wrapping is the drop-in that makes a timer's service run its one
// ExecStart= command under a wrapper.
type Wrapping struct {
	Timer   *Timer
	Service *Service // as it is without the drop-in
	Path    string   // the drop-in's path, under the tree's Root
	Data    []byte   // what Path is to hold
	Old     []byte   // what Path holds now; nil: no such file
	// Report is the audit of the timer as systemd would read it with the
	// drop-in in place.
	Report Report
}

// Unchanged reports whether the drop-in holds Data already.
func (w *Wrapping) Unchanged() bool { return w.Old != nil && bytes.Equal(w.Old, w.Data) }

// Wrap plans the drop-in (DropIn) that runs the one ExecStart= command of
// tm's service under wrapper (the program's path and its words, up to a
// closing "--"). The service is read without an earlier such drop-in, so
// planning again replaces it rather than wrapping twice. monitored is
// Audit's. It fails with *WrapError for a service that is masked, has no
// unit file, not exactly one command, or one monitored already; with
// Load's errors for a file it cannot read.
func (t Tree) Wrap(tm *Timer, wrapper []string, monitored func(argv []string) bool) (*Wrapping, error) {
	path, _, err := t.DropIn(tm.Activates, []string{"x"}, Command{Words: []string{"x"}})
	if err != nil {
		return nil, err
	}
	bare := t.with(path, nil)
	s, err := bare.Service(tm.Activates)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, &WrapError{Service: tm.Activates, Detail: "no unit file", Err: ErrUnwrappable}
	case err != nil:
		return nil, err
	case s.Masked:
		return nil, &WrapError{Service: s.Name, Detail: "masked", Err: ErrUnwrappable}
	case len(s.ExecStart) != 1:
		return nil, &WrapError{Service: s.Name, Detail: fmt.Sprintf("it has %d", len(s.ExecStart)), Err: ErrNotOneCommand}
	case monitored != nil && monitored(s.ExecStart[0].Argv()):
		return nil, &WrapError{Service: s.Name, Err: ErrWrapped}
	}
	w := &Wrapping{Timer: tm, Service: s, Path: path}
	if _, w.Data, err = t.DropIn(tm.Activates, wrapper, s.ExecStart[0]); err != nil {
		return nil, err
	}
	if old, err := os.ReadFile(path); err == nil {
		w.Old = old
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("systemd: %w", err)
	}
	w.Report = t.with(path, w.Data).Audit(tm, monitored)
	return w, nil
}

// JobName is the name of tm's job, for its monitor: the timer's name
// without ".timer" (backup for backup.timer, pg_dump@15-main for an
// instance).
func (tm *Timer) JobName() string { return strings.TrimSuffix(tm.Name, ".timer") }

// URLDir is where the url-files of the tree's jobs go unless the user says
// otherwise: /etc/opkuma under Root for the system instance; for a user's,
// $XDG_CONFIG_HOME/opkuma (getenv's, on a live system: Root "/") or else
// .config/opkuma in Home, under Root.
func (t Tree) URLDir(getenv func(string) string) string {
	if !t.User {
		return filepath.Join(t.Root, "/etc/opkuma")
	}
	if x := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) && (t.Root == "/" || t.Root == "") {
		return filepath.Join(x, "opkuma")
	}
	return filepath.Join(t.Root, t.Home, ".config/opkuma")
}
