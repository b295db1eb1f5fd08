// Package runner runs a scheduled job's command as cron would: a command
// line with sh -c, an argv with execvp's rules. It forwards signals,
// enforces a timeout on the job's whole process group and maps the outcome
// to the exit code a shell would give.
package runner

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/opkuma/opkuma/internal/shellword"
)

// DefaultShell runs command lines, as cron does, and scripts without #!,
// as execvp does.
const DefaultShell = "/bin/sh"

// Command is a child to run.
type Command struct {
	// Argv is the program and its arguments; Argv[0] is looked up in PATH
	// as execvp does. For a command line it is SHELL -c LINE.
	Argv []string
	// Shell is true when Argv is SHELL -c LINE (or SHELL -o pipefail -c
	// LINE).
	Shell bool
}

// ErrNoCommand is returned by Parse when there is nothing to run.
var ErrNoCommand = errors.New("no command given")

// Parse turns the arguments after -- into a Command, as cron and execvp
// define them:
//
//   - one argument that is a plain word (letters, digits, - _ . / + , : @ %
//     ^, not a shell keyword or builtin) is an argv of one word;
//   - one argument that is the path (holding a /) of an existing executable
//     file is an argv of one word, even with blanks in it;
//   - any other single argument is a command line, run as SHELL -c LINE
//     byte for byte, as cron runs a crontab line (shell "" is
//     DefaultShell);
//   - two or more arguments are an argv, run as given, without a shell.
func Parse(args []string, shell string) (Command, error) {
	if len(args) == 0 || args[0] == "" {
		return Command{}, ErrNoCommand
	}
	if len(args) > 1 {
		return Command{Argv: args}, nil
	}
	line := args[0]
	if strings.TrimSpace(line) == "" {
		// sh would run nothing and exit 0: a heartbeat for no job.
		return Command{}, ErrNoCommand
	}
	if (isPlainWord(line) && !shellword.Builtin(line)) || (strings.Contains(line, "/") && isExecutableFile(line)) {
		return Command{Argv: args}, nil
	}
	if shell == "" {
		shell = DefaultShell
	}
	return Command{Argv: []string{shell, "-c", line}, Shell: true}, nil
}

// ErrNotCommandLine is returned by Pipefail for a command that no shell
// runs: an argv, or one plain word.
var ErrNotCommandLine = errors.New("not one command line run by a shell")

// NoPipefailError is returned by Pipefail when the shell has no pipefail
// option (dash up to 0.5.12, Debian's /bin/sh, has none).
type NoPipefailError struct {
	Shell string
}

func (e *NoPipefailError) Error() string {
	return fmt.Sprintf("%s has no pipefail option", e.Shell)
}

// Pipefail returns c, a command line, run with its shell's pipefail
// option (SHELL -o pipefail -c LINE): the exit status of a pipeline is
// then that of its last command that failed, not of its last command.
// has tells whether a shell has the option; nil means HasPipefail. A shell
// without it is a *NoPipefailError; an argv, which no shell runs,
// ErrNotCommandLine.
func Pipefail(c Command, has func(shell string) bool) (Command, error) {
	if !c.Shell || len(c.Argv) != 3 {
		return c, ErrNotCommandLine
	}
	if has == nil {
		has = HasPipefail
	}
	shell := c.Argv[0]
	if !has(shell) {
		return c, &NoPipefailError{Shell: shell}
	}
	return Command{Argv: []string{shell, "-o", "pipefail", "-c", c.Argv[2]}, Shell: true}, nil
}

// HasPipefail reports whether shell takes -o pipefail: it runs it once
// (SHELL -o pipefail -c :), with only PATH in its environment.
func HasPipefail(shell string) bool {
	probe := exec.Command(shell, "-o", "pipefail", "-c", ":")
	probe.Env = []string{"PATH=" + os.Getenv("PATH")}
	return probe.Run() == nil
}

// isPlainWord reports whether sh would read w as one literal word naming a
// command, with nothing to expand, split or assign: a shellword.Plain word
// without = that starts with a letter, digit, _ . or /.
func isPlainWord(w string) bool {
	if !shellword.Plain(w) || strings.Contains(w, "=") {
		return false
	}
	c := w[0]
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '/'
}

// isExecutableFile reports whether path names an existing regular file
// that may be executed.
func isExecutableFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// String returns the command as a shell would read it, each word quoted
// when it needs to be.
func (c Command) String() string {
	words := make([]string, 0, len(c.Argv))
	for i, w := range c.Argv {
		q := shellword.Quote(w)
		if i == 0 && q == w && strings.Contains(w, "=") {
			q = "'" + w + "'" // else sh reads it as an assignment
		}
		words = append(words, q)
	}
	return strings.Join(words, " ")
}

// Name is the program as the user gave it, for messages: the first word of
// an argv, or the whole line of a command line.
func (c Command) Name() string {
	switch {
	case len(c.Argv) == 0:
		return ""
	case c.Shell && len(c.Argv) > 2:
		return c.Argv[len(c.Argv)-1]
	}
	return c.Argv[0]
}

// HasPipefailOnce is HasPipefail asking each shell once, for a caller that
// checks many lines (the crontab audit).
func HasPipefailOnce() func(shell string) bool {
	known := map[string]bool{}
	return func(shell string) bool {
		v, ok := known[shell]
		if !ok {
			v = HasPipefail(shell)
			known[shell] = v
		}
		return v
	}
}
