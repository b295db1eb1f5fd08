package cmd

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/buildinfo"
)

// Set at link time by release builds:
// -ldflags "-X github.com/opkuma/opkuma/cmd.version=v1.0.0 -X ...cmd.commit=... -X ...cmd.date=..."
var (
	version = ""
	commit  = ""
	date    = ""
)

// build is this binary's version, commit and date.
func build() buildinfo.Info { return buildinfo.Read(version, commit, date) }

// userAgent is sent with every push and to Uptime Kuma's API.
func userAgent() string { return build().UserAgent() }

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
	fmt.Fprintf(w, "opkuma version %s\n", build())
}
