package cmd

import (
	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
)

func manCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:         "man",
		Usage:        "print the manual page (roff), generated from the same definitions as --help",
		Description:  clidoc.Help("man"),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			b := build()
			clidoc.Man(env.Stdout, c.App, b.Version, b.Day())
			return nil
		},
	}
}
