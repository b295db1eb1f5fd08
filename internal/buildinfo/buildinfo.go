// Package buildinfo tells which opkuma this is: the version, commit and
// date a release build sets at link time, else what the Go build info
// records (a go install ...@v1.0.0 knows its module version, a clone's
// build its VCS stamp).
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Info is a build's version ("(devel)" when not known), its commit (at
// most 12 hex digits) and its date (RFC 3339), "" when not known.
type Info struct {
	Version, Commit, Date string
}

// Read returns the link-time values given, each completed from the
// running binary's build info when empty.
func Read(version, commit, date string) Info {
	info, _ := debug.ReadBuildInfo()
	return of(version, commit, date, info)
}

// of picks the link-time values, else the build info's (info may be nil).
func of(version, commit, date string, info *debug.BuildInfo) Info {
	b := Info{version, commit, date}
	if info != nil {
		if b.Version == "" && info.Main.Version != "" {
			b.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	if len(b.Commit) > 12 {
		b.Commit = b.Commit[:12]
	}
	return b
}

// String is "v1.0.0 (commit abc1234, built 2026-11-24T10:00:00Z)", what is
// not known left out ("(devel)" alone).
func (b Info) String() string {
	var about []string
	if b.Commit != "" {
		about = append(about, "commit "+b.Commit)
	}
	if b.Date != "" {
		about = append(about, "built "+b.Date)
	}
	if len(about) == 0 {
		return b.Version
	}
	return fmt.Sprintf("%s (%s)", b.Version, strings.Join(about, ", "))
}

// Day is the build's date as YYYY-MM-DD, "" when not known.
func (b Info) Day() string { return b.Date[:min(len(b.Date), 10)] }

// UserAgent is the User-Agent opkuma sends: "opkuma/v1.0.0".
func (b Info) UserAgent() string { return "opkuma/" + b.Version }
