// Package crontab reads crontab files as cron does (comments, environment
// lines, macros, % in commands, the user field of system crontabs) while
// keeping every line's bytes, so a line can be changed and the rest written
// back untouched. An Auditor reads the job lines that call a wrapper program
// as cron's sh would cut them, and reports what would stop the job.
package crontab

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/opkuma/opkuma/internal/shellword"
)

// Kind is what a crontab line is.
type Kind int

// The kinds of crontab lines.
const (
	Blank Kind = iota
	Comment
	Env
	Job
	Invalid
)

// String names the kind: "blank", "comment", "environment", "job", "invalid".
func (k Kind) String() string {
	return [...]string{"blank", "comment", "environment", "job", "invalid"}[k]
}

// Line is one line of a crontab.
type Line struct {
	Number   int    // from 1
	Raw      string // the line as read, without its line ending
	Kind     Kind
	Name     string // Env: the variable
	Value    string // Env: its value, quotes removed
	Schedule string // Job: the five time fields or the @ macro, as written
	User     string // Job in a system crontab: the user field
	// CommandAt is where the command starts in Raw (Job).
	CommandAt int
	Err       error // Invalid: why
}

// envPattern is cron's test for an environment line: NAME = VALUE, the name
// optionally quoted. A job line never matches: its first field is followed
// by white space and another field, not by '='.
var envPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*("[^"]*"|'[^']*'|[^\s=]+)\s*=(.*)$`) })

// Parse reads a crontab. With system set, job lines carry a user field
// after the schedule, as in /etc/crontab and /etc/cron.d. Lines cron would
// reject are returned as Invalid with the reason, not as an error; the error
// is for reading only.
func Parse(r io.Reader, system bool) ([]Line, error) {
	var lines []Line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sc.Split(scanLines)
	for n := 1; sc.Scan(); n++ {
		lines = append(lines, parseLine(n, sc.Text(), system))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading crontab: %w", err)
	}
	return lines, nil
}

// scanLines splits at \n only, keeping a \r: the bytes are the user's.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

func parseLine(n int, raw string, system bool) Line {
	l := Line{Number: n, Raw: raw}
	// Fields are separated by blanks and tabs, as cron splits them; a \r
	// of a CRLF file is only a line end.
	trimmed := strings.Trim(raw, " \t\r")
	switch {
	case trimmed == "":
		l.Kind = Blank
		return l
	case strings.HasPrefix(trimmed, "#"):
		l.Kind = Comment
		return l
	}
	if m := envPattern().FindStringSubmatch(raw); m != nil {
		l.Kind, l.Name, l.Value = Env, unquote(m[1]), unquote(strings.TrimSpace(m[2]))
		return l
	}
	nFields := 5
	if strings.HasPrefix(strings.TrimLeft(raw, " \t"), "@") {
		nFields = 1
	}
	if system {
		nFields++
	}
	fields, at := splitFields(raw, nFields)
	if len(fields) < nFields || at >= len(raw) {
		l.Kind, l.Err = Invalid, fmt.Errorf("line %d: not a job: want %s then a command", n, want(nFields, system))
		return l
	}
	l.Kind = Job
	if system {
		l.User, fields = fields[len(fields)-1], fields[:len(fields)-1]
	}
	l.Schedule = strings.Join(fields, " ")
	l.CommandAt = at
	return l
}

func want(n int, system bool) string {
	s := "5 time fields (or an @ macro)"
	if system {
		s += ", a user"
	}
	return s
}

// splitFields returns the first n white-space separated fields of s and the
// offset of what follows them and the white space after.
func splitFields(s string, n int) ([]string, int) {
	var fields []string
	i := 0
	for len(fields) < n {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		start := i
		for i < len(s) && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		if start == i {
			break
		}
		fields = append(fields, s[start:i])
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return fields, i
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// CommandText returns the command part of a job line as written, % signs
// and what follows them included.
func (l Line) CommandText() string {
	if l.Kind != Job {
		return ""
	}
	return strings.TrimSuffix(l.Raw[l.CommandAt:], "\r")
}

// Command returns the command cron gives to the shell: the text before the
// first unescaped %, with \% turned into %. What follows that % is the
// command's standard input.
func (l Line) Command() string {
	cmd, _ := cronPercent(l.CommandText())
	return cmd
}

// cronPercent reads text as cron does (its do_command loop): a backslash
// escapes the byte after it, an escaped % loses its backslash, and the
// first unescaped % ends the command. It returns the command and the offset
// of that %, or -1.
func cronPercent(text string) (string, int) {
	cmd := make([]byte, 0, len(text))
	escaped := false
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case escaped:
			escaped = false
			if ch == '%' {
				cmd = cmd[:len(cmd)-1]
			}
		case ch == '\\':
			escaped = true
		case ch == '%':
			return string(cmd), i
		}
		cmd = append(cmd, ch)
	}
	return string(cmd), -1
}

// UserField returns the first word of the command of a job read as a user
// crontab's when that word names a user (isUser) and a command follows it:
// the line is then most likely a system crontab's (/etc/crontab,
// /etc/cron.d), read without its user field, whose job would run a command
// called like the user, and what follows it is an absolute path or a
// shell builtin. "" otherwise.
func (l Line) UserField(isUser func(string) bool) string {
	if l.Kind != Job || l.User != "" || isUser == nil {
		return ""
	}
	words := strings.Fields(l.Command())
	if len(words) < 2 || !shellword.Plain(words[0]) || strings.ContainsAny(words[0], "/=") {
		return ""
	}
	// What follows must look like a command: an absolute path or a
	// builtin (cd / && run-parts ..., as Debian's /etc/crontab has).
	first, second := words[0], words[1]
	if !strings.HasPrefix(second, "/") && !shellword.Builtin(second) {
		return ""
	}
	if isUser(first) {
		return first
	}
	return ""
}

// Monitored reports whether the job already runs under opkuma run, by the
// audit's rule (Report.Calls with Report.Sub "run"): opkuma's global
// options (-v) and runners (nice, flock, ...) before it are skipped.
func (l Line) Monitored() bool {
	a := Auditor{Wrapper: Wrapper{Name: "opkuma", Run: "run"}}
	l.User = "" // a user called opkuma is not the wrapper: the command says
	r := a.job(l, map[string]string{})
	return r.Calls && r.Sub == a.Wrapper.Run
}

// ArgvMonitored reports whether a command given as its words (a systemd
// ExecStart=, a container's command and args) runs under opkuma run, by
// Line.Monitored's rule: the words as the command of a crontab line.
func ArgvMonitored(argv []string) bool {
	words := make([]string, len(argv))
	for i, w := range argv {
		words[i] = strings.ReplaceAll(shellword.Quote(w), "%", `\%`) // cron reads a bare % as a newline
	}
	lines, err := Parse(strings.NewReader("* * * * * "+strings.Join(words, " ")+"\n"), false)
	return err == nil && len(lines) == 1 && lines[0].Monitored()
}

// ErrAlreadyWrapped is returned by Wrap for a job that runs under opkuma.
var ErrAlreadyWrapped = errors.New("already wrapped with opkuma run")

// Wrap returns l's line with its command run under prefix (the program,
// its subcommand, options and a closing "--"). The command is kept byte for
// byte: plain words stay as written; anything sh would read differently
// (pipes, redirections, quotes, variables, leading NAME=value, a first word
// that is a shell builtin) becomes one single-quoted argument, which opkuma
// hands to /bin/sh -c as cron would. Text after an unescaped % stays the job's
// standard input. % in prefix is escaped, since cron reads % as a newline.
func (l Line) Wrap(prefix string) (string, error) {
	if l.Kind != Job {
		return "", fmt.Errorf("line %d is %s, not a job", l.Number, articled(l.Kind))
	}
	if l.Monitored() {
		return "", fmt.Errorf("line %d: %w", l.Number, ErrAlreadyWrapped)
	}
	text := l.Raw[l.CommandAt:]
	cr := ""
	if strings.HasSuffix(text, "\r") {
		text, cr = text[:len(text)-1], "\r"
	}
	cmd, stdin := text, ""
	if _, i := cronPercent(text); i >= 0 {
		cmd, stdin = text[:i], text[i:]
	}
	trail := cmd[len(strings.TrimRight(cmd, " \t")):]
	cmd = strings.TrimRight(cmd, " \t")
	if needsQuoting(cmd) {
		cmd = shellword.Single(cmd)
	}
	prefix = strings.ReplaceAll(prefix, "%", `\%`)
	return l.Raw[:l.CommandAt] + prefix + " " + cmd + trail + stdin + cr, nil
}

func articled(k Kind) string {
	if k == Invalid || k == Env {
		return "an " + k.String() + " line"
	}
	return "a " + k.String() + " line"
}

// needsQuoting reports whether cmd must be one quoted argument to keep its
// meaning after "opkuma run ... --": anything beyond plain words, or a
// first word that only sh knows (cd, exit, if, ...).
func needsQuoting(cmd string) bool {
	words := strings.FieldsFunc(cmd, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(words) == 0 || strings.Contains(words[0], "=") || shellword.Builtin(words[0]) {
		return true
	}
	for _, w := range words {
		if !shellword.Plain(w) {
			return true
		}
	}
	return false
}
