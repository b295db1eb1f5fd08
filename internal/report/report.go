// Package report writes what opkuma's audits print (opkuma crontab,
// timers, cronjobs): for each job a line per interval, note and problem,
// "WHERE: interval: ...", "WHERE: problem: ...; fix: ...", then a summary;
// or all of it as JSON. Tokens are hidden in every line.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/opkuma/opkuma/pusher"
)

// Lines writes an audit's lines to a writer, each with its push tokens
// hidden. It keeps the first write error (Err) and writes nothing after
// it.
type Lines struct {
	w   io.Writer
	err error
}

// To returns the Lines that write to w.
func To(w io.Writer) *Lines { return &Lines{w: w} }

// Printf writes one line.
func (l *Lines) Printf(format string, args ...any) {
	if l.err == nil {
		_, l.err = fmt.Fprintln(l.w, pusher.Redact(fmt.Sprintf(format, args...)))
	}
}

// Interval says the Heartbeat Interval the monitor of the job at where
// needs, and the largest gap it comes from, both in seconds.
func (l *Lines) Interval(where string, interval, gap int64) {
	l.Printf("%s: interval: set the monitor's Heartbeat Interval to %d s (largest gap %d s + margin)", where, interval, gap)
}

// Note writes a note of the job at where; none for "".
func (l *Lines) Note(where, note string) {
	if note != "" {
		l.Printf("%s: note: %s", where, note)
	}
}

// Problem writes a problem of the job at where and what to do about it.
func (l *Lines) Problem(where, msg, fix string) {
	l.Printf("%s: problem: %s; fix: %s", where, msg, fix)
}

// Err is the first error writing a line, or nil.
func (l *Lines) Err() error { return l.err }

// JSON writes v as indented JSON, < > & as they are (tokens are hidden
// before, in the values).
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Plural is "1 job", "2 jobs".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// List joins items with ", ", the first most of them and "... (N more)"
// for the rest.
func List(items []string, most int) string {
	list := strings.Join(items[:min(len(items), most)], ", ")
	if len(items) > most {
		list += fmt.Sprintf(", ... (%d more)", len(items)-most)
	}
	return list
}
