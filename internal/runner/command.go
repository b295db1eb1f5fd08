// Package runner runs a scheduled job's command as a child process: it
// splits a one-string command line the way cron users expect, forwards
// signals, enforces a timeout and maps the outcome to a shell exit code.
package runner

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-shellwords"
)

// Shell runs command lines that need shell syntax, as cron does.
const Shell = "/bin/sh"

// shellSyntax holds the characters that make a command line need a shell:
// pipes, lists, redirections, expansions, globs, subshells. A line holding
// any of them, even quoted, goes to /bin/sh, which handles quoted ones the
// same way the direct path would.
const shellSyntax = "|&;<>()$`*?[]~!#{}\n"

// Command is a child to run.
type Command struct {
	Argv  []string // program and arguments; Argv[0] is looked up in PATH
	Env   []string // NAME=value assignments added to the environment
	Shell bool     // Argv is /bin/sh -c LINE
}

// ErrNoCommand is returned by ParseCommand when there is nothing to run.
var ErrNoCommand = errors.New("no command given: put it after --, e.g. opkuma run --url URL -- /usr/local/bin/backup.sh")

// ParseCommand turns the arguments after -- into a Command. Several
// arguments are the argv as given. A single argument holding white space is
// a command line: split into words (leading NAME=value words become
// environment) or, when it uses shell syntax, run with /bin/sh -c as cron
// would.
func ParseCommand(args []string) (Command, error) {
	if len(args) == 0 {
		return Command{}, ErrNoCommand
	}
	if len(args) > 1 || !strings.ContainsAny(args[0], " \t\n") {
		if args[0] == "" {
			return Command{}, ErrNoCommand
		}
		return Command{Argv: args}, nil
	}
	return ParseCommandLine(args[0])
}

// ParseCommandLine splits one command line. Lines with quotes or escapes but
// no other shell syntax are split with shell quoting rules as well; see
// ParseCommand.
func ParseCommandLine(line string) (Command, error) {
	if strings.TrimSpace(line) == "" {
		return Command{}, ErrNoCommand
	}
	if needsShell(line) {
		return Command{Argv: []string{Shell, "-c", line}, Shell: true}, nil
	}
	env, argv, err := shellwords.ParseWithEnvs(line)
	if err != nil {
		return Command{}, fmt.Errorf("splitting command line: %w", err)
	}
	if len(argv) == 0 {
		return Command{}, ErrNoCommand
	}
	if len(env) == 0 {
		env = nil
	}
	return Command{Argv: argv, Env: env}, nil
}

// needsShell reports whether line uses syntax only a shell understands, or
// is not valid UTF-8: go-shellwords would replace such bytes, sh keeps them.
func needsShell(line string) bool {
	return strings.ContainsAny(line, shellSyntax) || !utf8.ValidString(line)
}

// String returns the command as a shell would read it, each word quoted
// when it needs to be.
func (c Command) String() string {
	words := make([]string, 0, len(c.Env)+len(c.Argv))
	for _, kv := range c.Env {
		name, value, _ := strings.Cut(kv, "=")
		words = append(words, name+"="+Quote(value))
	}
	for i, w := range c.Argv {
		q := Quote(w)
		if i == 0 && q == w && strings.Contains(w, "=") {
			q = "'" + w + "'" // else sh reads it as an assignment
		}
		words = append(words, q)
	}
	return strings.Join(words, " ")
}

// Quote returns w unchanged when sh reads it as one literal word, else in
// single quotes.
func Quote(w string) string {
	if w != "" && !strings.ContainsAny(w, shellSyntax+" \t\"'\\") {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}
