package crontab

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/opkuma/opkuma/internal/shellword"
)

// Zones returns the time zone of each line of lines (by index): the
// crontab's last CRON_TZ= above it, else loc. A CRON_TZ that names no
// zone this machine knows is passed over, as cronie does.
func Zones(lines []Line, loc *time.Location) []*time.Location {
	out := make([]*time.Location, len(lines))
	for i, l := range lines {
		if l.Kind == Env && l.Name == "CRON_TZ" {
			if z, err := time.LoadLocation(l.Value); err == nil {
				loc = z
			}
		}
		out[i] = loc
	}
	return out
}

// PathOf returns the PATH cron gives a job after lines: the value of the
// last PATH= line, else DefaultPath.
func PathOf(lines []Line) string {
	path := DefaultPath
	for _, l := range lines {
		if l.Kind == Env && l.Name == "PATH" {
			path = l.Value
		}
	}
	return path
}

// CronReads reports whether cron reads the file name in /etc/cron.d: not
// a directory, a hidden file, a backup (~) or a package manager's leftover
// (.dpkg-old, .rpmsave, ...).
func CronReads(name string) bool {
	base := filepath.Base(name)
	if strings.HasPrefix(base, ".") || strings.HasSuffix(base, "~") || strings.Contains(base, ".dpkg-") || strings.Contains(base, ".rpm") {
		return false
	}
	info, err := os.Stat(name)
	return err != nil || !info.IsDir()
}

// Caller returns how a job after lines calls the program whose absolute
// path is exe: by its base name, when that is name and the first file of
// that name in the PATH those lines give is exe itself; else by its path,
// quoted for sh, so that cron runs this program whatever the PATH.
func Caller(lines []Line, exe, name string) string {
	if filepath.Base(exe) != name {
		return name
	}
	self, err := os.Stat(exe)
	if err != nil {
		return name
	}
	// sh runs the first file of that name in PATH: it must be exe itself.
	for _, dir := range filepath.SplitList(PathOf(lines)) {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.IsDir() {
			continue
		}
		if filepath.IsAbs(dir) && os.SameFile(info, self) {
			return name
		}
		break // another file, or a relative entry (cron's is the home directory)
	}
	return QuoteWord(exe)
}

// QuoteWord quotes w for sh when sh would not read it as one literal word.
// A leading ~/ stays outside the quotes, so that sh expands it to the job's
// home directory.
func QuoteWord(w string) string {
	if rest, ok := strings.CutPrefix(w, "~/"); ok && rest != "" {
		return "~/" + shellword.Quote(rest)
	}
	return shellword.Quote(w)
}

// HomeDir returns the home directory that cron gives the jobs of the user
// called name ("": the user running this program). cron asks getpwnam(3);
// os/user does too when built with cgo, and reads /etc/passwd as cron's
// NSS "files" source does when built without (opkuma's static binary).
func HomeDir(name string) (string, error) {
	var u *user.User
	var err error
	if name == "" {
		u, err = user.Current()
	} else {
		u, err = user.Lookup(name)
	}
	if err != nil {
		return "", err
	}
	return u.HomeDir, nil
}

// Homes is HomeDir where the user running this program has $HOME (getenv)
// as their home, as a shell started by them sees it.
func Homes(getenv func(string) string) func(name string) (string, error) {
	return func(name string) (string, error) {
		if h := getenv("HOME"); name == "" && h != "" {
			return h, nil
		}
		return HomeDir(name)
	}
}
