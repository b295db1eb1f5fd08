package cmd

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// Set at link time by release builds:
// -ldflags "-X github.com/opkuma/opkuma/cmd.version=v1.0.0 -X ...cmd.commit=... -X ...cmd.date=..."
var (
	version = ""
	commit  = ""
	date    = ""
)

// versionString is "v1.0.0 (commit abc1234, built 2026-11-24T10:00:00Z)".
// Without link-time values it reads the module version and VCS stamp from
// the build info, so a binary from go install ...@v1.0.0 knows its version;
// what is not known is left out ("(devel)" alone).
func versionString() string {
	v, c, d := buildVersion()
	var about []string
	if c != "" {
		about = append(about, "commit "+c)
	}
	if d != "" {
		about = append(about, "built "+d)
	}
	if len(about) == 0 {
		return v
	}
	return fmt.Sprintf("%s (%s)", v, strings.Join(about, ", "))
}

func buildVersion() (v, c, d string) {
	info, _ := debug.ReadBuildInfo()
	return versionOf(version, commit, date, info)
}

// versionOf picks the link-time values, else the build info's (info may be
// nil); a version not known is "(devel)", a commit or date not known "".
func versionOf(version, commit, date string, info *debug.BuildInfo) (v, c, d string) {
	v, c, d = version, commit, date
	if info != nil {
		if v == "" && info.Main.Version != "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if len(c) > 12 {
		c = c[:12]
	}
	return v, c, d
}

// userAgent is sent with every push.
func userAgent() string {
	v, _, _ := buildVersion()
	return "opkuma/" + v
}

func versionCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:         "version",
		Usage:        "print the version (as opkuma --version does)",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("version takes no arguments, got %q", c.Args().First())
			}
			printVersion(env.Stdout)
			return nil
		},
	}
}

// printVersion prints "opkuma version v1.0.0 (commit ..., built ...)".
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "opkuma version %s\n", versionString())
}
