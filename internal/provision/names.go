package provision

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mattn/go-shellwords"

	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/internal/kumaapi"
	"github.com/opkuma/opkuma/internal/schedule"
	"github.com/opkuma/opkuma/pusher"
)

// Name sources for JobName.
const (
	FromComment = "comment" // the comment just above the job, else its command
	FromCommand = "command" // always the job's command
)

// JobName is the monitor name of the job lines[i]: with from FromComment
// the comment on the line just above it, else the name of its command.
func JobName(lines []crontab.Line, i int, from string) string {
	if from == FromComment && i > 0 && lines[i-1].Kind == crontab.Comment {
		if n := commentName(lines[i-1].Raw); n != "" {
			return n
		}
	}
	return commandName(lines[i].Command())
}

// commentName reads a monitor name from a comment line; "" for none: an
// empty comment, the column header of crontab's template, a commented-out
// job or variable.
func commentName(raw string) string {
	text := strings.Join(strings.Fields(strings.TrimLeft(strings.TrimSpace(raw), "#")), " ")
	switch strings.ToLower(text) {
	case "", "m h dom mon dow command", "m h dom mon dow user command":
		return ""
	}
	if ls, err := crontab.Parse(strings.NewReader(text), false); err == nil && len(ls) == 1 {
		switch ls[0].Kind {
		case crontab.Env:
			return ""
		case crontab.Job:
			if _, err := schedule.Parse(ls[0].Schedule); err == nil || errors.Is(err, schedule.ErrReboot) {
				return ""
			}
		}
	}
	const most = 100 // Uptime Kuma keeps 150
	if r := []rune(text); len(r) > most {
		text = strings.TrimSpace(string(r[:most]))
	}
	return text
}

// setupCommand reports whether w only sets up the real command
// (cd /srv && ./backup.sh).
func setupCommand(w string) bool {
	switch w {
	case "cd", "pushd", "umask", "export", "set", "test", "[", ":":
		return true
	}
	return false
}

// prefixCommand reports whether w runs the rest of its words as the
// command.
func prefixCommand(w string) bool {
	switch w {
	case "exec", "nohup", "time", "command":
		return true
	}
	return false
}

// interpreter reports whether w is an interpreter whose script names the
// job better than it does.
func interpreter(w string) bool {
	switch w {
	case "sh", "bash", "dash", "zsh", "ksh", "python", "python3", "perl", "ruby", "node", "php":
		return true
	}
	return false
}

// commandName names a job after its command: the base name of the first
// program of the command that is not a setup step (cd DIR &&), or of the
// script an interpreter runs; "job" when there is none. It only reads the
// words (shellwords); the job runs as cron runs it.
func commandName(cmd string) string {
	rest := cmd
	for i := 0; i < 20; i++ {
		rest = strings.TrimLeft(rest, "({! \t") // subshells, groups, negation
		if rest == "" {
			break
		}
		p := shellwords.NewParser()
		words, err := p.Parse(rest)
		if k := strings.IndexByte(rest, ')'); err != nil && k >= 0 {
			p = shellwords.NewParser() // the end of a subshell: (cd /srv; ./run)
			words, err = p.Parse(rest[:k])
		}
		if err != nil {
			break
		}
		for len(words) > 0 && (prefixCommand(words[0]) || strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "=")) {
			words = words[1:] // NAME=value or exec before the program
		}
		if len(words) > 0 && !setupCommand(words[0]) {
			prog := filepath.Base(words[0])
			if interpreter(prog) {
				for k := 1; k < len(words); k++ {
					switch {
					case words[k] == "-c" && k+1 < len(words):
						return commandName(words[k+1])
					case !strings.HasPrefix(words[k], "-"):
						return filepath.Base(words[k])
					}
				}
			}
			return prog
		}
		if p.Position < 0 {
			break
		}
		rest = strings.TrimLeft(rest[p.Position:], ";&|<> \t")
	}
	return "job"
}

// FileStem is name as a file name: letters, digits, . _ and -, the rest
// turned into -; "job" when nothing is left.
func FileStem(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
		if !ok {
			r = '-'
		}
		if r == '-' && dash {
			continue
		}
		dash = r == '-'
		b.WriteRune(r)
	}
	s := strings.Trim(b.String(), "-.")
	if s == "" {
		return "job"
	}
	return s
}

// Slot is one job to provision: its base name and needs, then the monitor
// name, url-file and decision AssignNames found for it.
type Slot struct {
	Base     string // the name before it was made unique
	Want     Target
	Name     string
	Passed   string // why Base was passed over; "": it was not
	URLFile  string
	Decision Decision
}

// NoFreeNameError is returned by AssignNames when base-2 to base-1000 are
// all taken for the slot at Index.
type NoFreeNameError struct {
	Index int
	Base  string
}

// Error names the base name that found no free name.
func (e *NoFreeNameError) Error() string {
	return fmt.Sprintf("no free monitor name after %q-1000", e.Base)
}

// AssignNames gives each slot its monitor name and url-file in dir, and
// decides what its monitor needs. A name is the slot's base name, else
// base-2, base-3...: the first that no other slot has, that names no
// monitor another job pushes to (its token in taken) or that cannot be
// told apart (Decide fails), and whose url-file does not hold another
// monitor's URL. The same slots and monitors give the same names, so a
// dry run shows what a real run does.
func AssignNames(slots []*Slot, monitors []kumaapi.Monitor, taken map[string]bool, tag, dir string) error {
	usedNames, usedStems := map[string]bool{}, map[string]bool{}
	for i, j := range slots {
		for n := 1; ; n++ {
			name := j.Base
			if n > 1 {
				name = fmt.Sprintf("%s-%d", j.Base, n)
			}
			stem := FileStem(name)
			file := filepath.Join(dir, stem+".url")
			d, err := Decide(monitors, Job{Name: name, Tag: tag, Want: j.Want})
			why := ""
			switch {
			case usedNames[name] || usedStems[stem]:
				why = "another job of this crontab has it"
			case err != nil:
				why = err.Error()
			case d.Existing != nil && taken[d.Existing.PushToken]:
				why = fmt.Sprintf("monitor id %d is another job's", d.Existing.ID)
			default:
				why = urlFileTaken(file, d)
			}
			if why != "" {
				if n == 1 {
					j.Passed = why
				}
				if n >= 1000 {
					return &NoFreeNameError{Index: i, Base: j.Base}
				}
				continue
			}
			j.Name, j.URLFile, j.Decision = name, file, d
			usedNames[name], usedStems[stem] = true, true
			break
		}
	}
	return nil
}

// urlFileTaken says why file cannot be the url-file of d's monitor: it
// exists and holds something else than that monitor's push URL. "": it can.
func urlFileTaken(file string, d Decision) string {
	if _, err := os.Lstat(file); errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if d.Existing != nil {
		if raw, err := pusher.ReadURLFile(file, true); err == nil {
			if e, err := pusher.ParseEndpoint(raw); err == nil && e.Token() == d.Existing.PushToken {
				return ""
			}
		}
	}
	return file + " exists and holds another push URL"
}
