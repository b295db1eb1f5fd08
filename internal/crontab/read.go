package crontab

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// Source is one crontab as read: its name (a path, "-" for standard input,
// or "crontab -l"), its bytes and its lines.
type Source struct {
	Name  string
	Data  []byte
	Lines []Line
}

// Read returns the crontabs that arg names, each parsed as a system
// crontab (with a user field) when system is set: the file arg; "-": stdin;
// "": with system, /etc/crontab and the files of /etc/cron.d that cron
// reads, else the user's crontab (crontab -l). An error reading the file
// arg is an *fs.PathError.
func Read(arg string, stdin io.Reader, system bool) ([]Source, error) {
	var sources []Source
	add := func(name string, data []byte) error {
		lines, err := Parse(bytes.NewReader(data), system)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		sources = append(sources, Source{Name: name, Data: data, Lines: lines})
		return nil
	}
	switch {
	case arg == "-":
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		return sources, add("-", data)
	case arg != "":
		data, err := os.ReadFile(arg)
		if err != nil {
			return nil, err
		}
		return sources, add(arg, data)
	case system:
		files, _ := filepath.Glob("/etc/cron.d/*")
		sort.Strings(files)
		for _, f := range append([]string{"/etc/crontab"}, files...) {
			if !CronReads(f) {
				continue
			}
			data, err := os.ReadFile(f)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if err := add(f, data); err != nil {
				return nil, err
			}
		}
		return sources, nil
	}
	data, err := ReadUser()
	if err != nil {
		return nil, fmt.Errorf("%v: give a FILE, or - for standard input", err)
	}
	return sources, add("crontab -l", data)
}
