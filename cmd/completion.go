package cmd

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/clidoc"
)

func completionCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:         "completion",
		Usage:        "print a shell completion script: bash, zsh or fish",
		ArgsUsage:    "bash|zsh|fish",
		Description:  clidoc.Help("completion"),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			shell := c.Args().First()
			if c.NArg() != 1 {
				return usageErrorf("give one shell: opkuma completion bash|zsh|fish")
			}
			err := clidoc.Completion(env.Stdout, c.App, shell)
			if errors.Is(err, clidoc.ErrUnknownShell) {
				return usageErrorf("unknown shell %q: opkuma completion bash|zsh|fish", shell)
			}
			return err
		},
	}
}
