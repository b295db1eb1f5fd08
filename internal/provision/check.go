package provision

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/mattn/go-shellwords"

	"github.com/opkuma/opkuma/internal/crontab"
	"github.com/opkuma/opkuma/pusher"
)

// ErrNoPushURL is returned by JobToken for a call of the wrapper that
// names no push URL: no URL option, URL file option or URL variable.
var ErrNoPushURL = errors.New("no push URL in the line: cannot tell its monitor")

// JobToken returns the push token that command, a crontab job's command
// calling w.Run of the wrapper w, pushes to: from a URL option, else a URL
// file option (~ and $VARIABLES expanded, from vars then getenv), else a
// URL variable set before the call or in vars (the crontab's NAME=value
// lines). The line is only read (shellwords), never run. Errors: the
// pusher's, for a URL file or URL; ErrNoPushURL.
func JobToken(command string, vars map[string]string, getenv func(string) string, w crontab.Wrapper) (string, error) {
	words, err := shellwords.NewParser().Parse(command)
	if err != nil {
		return "", fmt.Errorf("cannot read the command: %v", err)
	}
	env := map[string]string{}
	for k, v := range vars {
		env[k] = v
	}
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "=") {
		k, v, _ := strings.Cut(words[0], "=")
		env[k] = v
		words = words[1:]
	}
	var rawURL, file string
	for i := 2; i < len(words) && words[i] != "--"; i++ {
		option, value, hasValue := strings.Cut(words[i], "=")
		isURL, isFile := slices.Contains(w.URLOptions, option), slices.Contains(w.URLFileOptions, option)
		if !isURL && !isFile {
			continue
		}
		if !hasValue {
			if i+1 >= len(words) {
				break
			}
			i++
			value = words[i]
		}
		if isURL {
			rawURL = value
		} else {
			file = value
		}
	}
	if rawURL == "" && file == "" {
		for _, v := range w.URLVariables {
			if env[v] != "" {
				rawURL = env[v]
				break
			}
		}
	}
	switch {
	case rawURL != "":
	case file != "":
		lookup := func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return getenv(k)
		}
		if strings.HasPrefix(file, "~/") {
			file = "$HOME" + file[1:]
		}
		file = os.Expand(file, lookup)
		if rawURL, err = pusher.ReadURLFile(file, true); err != nil {
			return "", err
		}
	default:
		return "", ErrNoPushURL
	}
	e, err := pusher.ParseEndpoint(rawURL)
	if err != nil {
		return "", err
	}
	return e.Token(), nil
}

// TakenTokens returns the push tokens of the jobs of lines that already
// run under the wrapper: their monitors are theirs, never another job's.
func TakenTokens(lines []crontab.Line, getenv func(string) string, w crontab.Wrapper) map[string]bool {
	taken := map[string]bool{}
	vars := map[string]string{}
	for _, l := range lines {
		switch {
		case l.Kind == crontab.Env:
			vars[l.Name] = l.Value
		case l.Kind == crontab.Job && l.Monitored():
			if t, err := JobToken(l.Command(), vars, getenv, w); err == nil {
				taken[t] = true
			}
		}
	}
	return taken
}
