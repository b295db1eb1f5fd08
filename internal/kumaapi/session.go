package kumaapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/opkuma/opkuma/internal/filetype"
	"github.com/opkuma/opkuma/internal/shellword"
)

// Session is a logged-in connection to Uptime Kuma and the monitors it
// sent at login; Ctx bounds the whole exchange.
type Session struct {
	*Client
	Ctx    context.Context
	Listed []Monitor // the monitors at login
	cancel context.CancelFunc
}

// Close ends the session.
func (s *Session) Close() {
	s.Client.Close()
	s.cancel()
}

// Connect dials Uptime Kuma at base, logs in with cr and reads its
// monitors, all within timeout (and parent). A login Uptime Kuma refuses
// is a *LoginError, or ErrTwoFactorRequired; a server it cannot talk to
// an error that names base.
func Connect(parent context.Context, base string, timeout time.Duration, opts Options, cr Credentials) (*Session, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	c, err := Dial(ctx, base, opts)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("cannot talk to Uptime Kuma at %s: %w", base, err)
	}
	s := &Session{Client: c, Ctx: ctx, cancel: cancel}
	var le *LoginError
	switch err = c.Login(ctx, cr); {
	case err == nil:
		s.Listed, err = c.Monitors()
	case errors.As(err, &le), errors.Is(err, ErrTwoFactorRequired):
	default:
		err = fmt.Errorf("logging in to Uptime Kuma at %s: %w", base, err)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// ReadSecret returns the first line of the file at path, without its line
// ending: a password or a TOTP secret kept out of command lines. As for a
// url-file, open(2) cannot block (a FIFO is refused, not waited on), and a
// file group or others can read is refused, as ssh and libpq refuse
// theirs.
func ReadSecret(path string) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s: not a regular file (%s)", path, filetype.Name(fi.Mode()))
	}
	if perm := fi.Mode().Perm(); perm&0o044 != 0 {
		return "", fmt.Errorf("%s: readable by group or others (mode %04o): run chmod 600 %s", path, perm, shellword.Quote(path))
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("%s: the first line is empty", path)
	}
	return line, nil
}
