package cmd

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

func completionCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: `Prints a completion script for opkuma's commands and flags, generated from the
same definitions as --help. After --, the job's command and files complete.

   bash:  opkuma completion bash > /etc/bash_completion.d/opkuma
          (or: source <(opkuma completion bash) in ~/.bashrc)
   zsh:   opkuma completion zsh > "${fpath[1]}/_opkuma"
   fish:  opkuma completion fish > ~/.config/fish/completions/opkuma.fish`,
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			shell := c.Args().First()
			if c.NArg() != 1 {
				return usageErrorf("give one shell: opkuma completion bash|zsh|fish")
			}
			spec := completionSpec(c.App)
			switch shell {
			case "bash":
				writeBash(env.Stdout, spec)
			case "zsh":
				writeZsh(env.Stdout, spec)
			case "fish":
				writeFish(env.Stdout, spec)
			default:
				return usageErrorf("unknown shell %q: opkuma completion bash|zsh|fish", shell)
			}
			return nil
		},
	}
}

// compCommand is a command as the completion scripts see it, all of it
// read from its definition.
type compCommand struct {
	path  string // "run", "crontab wrap"
	usage string
	flags []compFlag
	subs  []compCommand // subcommands: name (path's last word) and usage
	job   bool          // its arguments are a job's command line (ArgsUsage "-- ...")
	files bool          // its arguments are files (ArgsUsage mentions FILE)
	words []string      // its argument is one of these words (ArgsUsage "bash|zsh|fish")
}

// name is the last word of the command's path.
func (c compCommand) name() string { return c.path[strings.LastIndexByte(c.path, ' ')+1:] }

// argsOf reads a command's ArgsUsage: "-- COMMAND [ARGS...]" is a job,
// a FILE is files, "bash|zsh|fish" is a choice of words.
func argsOf(cc *compCommand, argsUsage string) {
	cc.job = strings.HasPrefix(argsUsage, "--")
	cc.files = strings.Contains(argsUsage, "FILE")
	if strings.Contains(argsUsage, "|") && strings.ToLower(argsUsage) == argsUsage && !strings.ContainsAny(argsUsage, "[]- ") {
		cc.words = strings.Split(argsUsage, "|")
	}
}

type compFlag struct {
	names []string // without dashes, long first
	usage string
	value string // "" for a boolean; else what it takes: file, status, zone, value
}

// pathedCommand is a command with its path from the app: "crontab wrap".
type pathedCommand struct {
	path string
	*cli.Command
}

// visibleCommands returns app's commands and subcommands, depth first,
// without hidden ones and urfave/cli's own help command.
func visibleCommands(app *cli.App) []pathedCommand {
	var out []pathedCommand
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden || c.Name == "help" {
				continue
			}
			pc := pathedCommand{path: strings.TrimSpace(prefix + " " + c.Name), Command: c}
			out = append(out, pc)
			walk(pc.path, c.Subcommands)
		}
	}
	walk("", app.Commands)
	return out
}

// completionSpec reads the commands and flags of app; the first, with path
// "", is the app itself with its own flags.
func completionSpec(app *cli.App) []compCommand {
	root := compCommand{usage: app.Usage}
	for _, f := range app.Flags {
		root.flags = append(root.flags, toCompFlag(f))
	}
	out := []compCommand{root}
	for _, c := range visibleCommands(app) {
		cc := compCommand{path: c.path, usage: c.Usage}
		for _, f := range c.Flags {
			if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
				continue // an old name kept working, not offered
			}
			cc.flags = append(cc.flags, toCompFlag(f))
		}
		argsOf(&cc, c.ArgsUsage)
		for _, sub := range c.Subcommands {
			if !sub.Hidden && sub.Name != "help" {
				cc.subs = append(cc.subs, compCommand{path: c.path + " " + sub.Name, usage: sub.Usage})
			}
		}
		out = append(out, cc)
	}
	return out
}

func toCompFlag(f cli.Flag) compFlag {
	cf := compFlag{names: f.Names()}
	slices.SortStableFunc(cf.names, func(a, b string) int { return len(b) - len(a) })
	if d, ok := f.(cli.DocGenerationFlag); ok {
		var placeholder string
		placeholder, cf.usage = unquoteUsage(d.GetUsage())
		if d.TakesValue() {
			// What the value is, from the placeholder --help shows.
			switch {
			case placeholder == "FILE" || placeholder == "PATH":
				cf.value = "file"
			case placeholder == "ZONE":
				cf.value = "zone"
			case cf.names[0] == "status":
				cf.value = "status"
			default:
				cf.value = "value"
			}
		}
	}
	return cf
}

// topLevel is the first level: commands and the app's own flags.
func topLevel(spec []compCommand) []compCommand {
	var top []compCommand
	for _, c := range spec {
		if c.path != "" && !strings.Contains(c.path, " ") {
			top = append(top, c)
		}
	}
	return top
}

func writeBash(w io.Writer, spec []compCommand) {
	var names []string
	for _, c := range topLevel(spec) {
		names = append(names, c.path)
	}
	fmt.Fprintf(w, `# bash completion for opkuma, generated by "opkuma completion bash"
_opkuma() {
    local cur prev cmd="" sub="" i
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
        --)
            # The job: a command, then its arguments.
            if ((i == COMP_CWORD - 1)); then
                COMPREPLY=($(compgen -c -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return
            ;;
        -*) ;;
        *)
            if [[ -z $cmd ]]; then
                cmd="${COMP_WORDS[i]}"
            elif [[ -z $sub ]]; then
                case "$cmd ${COMP_WORDS[i]}" in
                %s) sub="${COMP_WORDS[i]}" ;;
                esac
            fi
            ;;
        esac
    done
    case "$prev" in
    %s)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --status)
        COMPREPLY=($(compgen -W "up down" -- "$cur"))
        return
        ;;
    --tz)
        COMPREPLY=($(compgen -W "UTC $(cd /usr/share/zoneinfo 2>/dev/null && find * -type f 2>/dev/null | grep -v '\.tab$')" -- "$cur"))
        return
        ;;
    esac
    case "$cmd${sub:+ $sub}" in
`, bashAlternatives(subPaths(spec), true), bashAlternatives(fileFlags(spec), false))
	for _, c := range spec {
		words := []string{}
		for _, f := range c.flags {
			for _, n := range f.names {
				words = append(words, dashed(n))
			}
		}
		if c.path == "" {
			words = append(names, words...)
		}
		if c.job {
			words = append(words, "--")
		}
		for _, sub := range c.subs {
			words = append(words, sub.name())
		}
		words = append(words, c.words...)
		fmt.Fprintf(w, "    %q)\n        COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", c.path, strings.Join(words, " "))
		if c.files {
			fmt.Fprintf(w, "        [[ $cur != -* ]] && COMPREPLY+=($(compgen -f -- \"$cur\"))\n")
		}
		fmt.Fprintf(w, "        ;;\n")
	}
	fmt.Fprintf(w, "    esac\n}\ncomplete -F _opkuma opkuma\n")
}

// subPaths are the paths of the subcommands: "crontab wrap".
func subPaths(spec []compCommand) []string {
	var out []string
	for _, c := range spec {
		for _, sub := range c.subs {
			out = append(out, sub.path)
		}
	}
	return out
}

// fileFlags are the flags, dashed, that take a file.
func fileFlags(spec []compCommand) []string {
	var out []string
	for _, c := range spec {
		for _, f := range c.flags {
			for _, n := range f.names {
				if f.value == "file" && !slices.Contains(out, dashed(n)) {
					out = append(out, dashed(n))
				}
			}
		}
	}
	return out
}

// bashAlternatives is a bash case pattern matching any of words (quoted
// when they hold blanks); a pattern that matches nothing when there are
// none.
func bashAlternatives(words []string, quote bool) string {
	if len(words) == 0 {
		return "''"
	}
	if quote {
		words = quoteAll(words)
	}
	return strings.Join(words, " | ")
}

func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = fmt.Sprintf("%q", w)
	}
	return out
}

func zshQuote(s string) string {
	r := strings.NewReplacer("'", `'\''`, "[", `\[`, "]", `\]`, ":", `\:`)
	return r.Replace(s)
}

func writeZsh(w io.Writer, spec []compCommand) {
	fmt.Fprintf(w, "#compdef opkuma\n# zsh completion for opkuma, generated by \"opkuma completion zsh\"\n\n_opkuma() {\n")
	fmt.Fprintf(w, "    local -a commands\n    commands=(\n")
	for _, c := range topLevel(spec) {
		fmt.Fprintf(w, "        '%s:%s'\n", c.path, zshQuote(c.usage))
	}
	fmt.Fprintf(w, `    )
    if (( CURRENT == 2 )); then
        _describe -t commands 'opkuma command' commands
        _arguments %s
        return
    fi
    local i
    for (( i = 3; i < CURRENT; i++ )); do
        if [[ $words[i] == -- ]]; then
            # The job's own command line.
            shift $i words
            (( CURRENT -= i ))
            _normal
            return
        fi
    done
    local cmd=$words[2]
    case "$words[2] $words[3]" in
    (%s) cmd="$words[2] $words[3]" ;;
    esac
    case $cmd in
`, zshRootFlags(spec[0]), strings.Join(quoteAll(subPaths(spec)), "|"))
	for _, c := range spec[1:] {
		fmt.Fprintf(w, "    %q)\n        _arguments -s \\\n", c.path)
		for _, f := range c.flags {
			var spec string
			switch {
			case len(f.names) > 1:
				spec = fmt.Sprintf("'(%s)'{%s}", strings.Join(dashAll(f.names), " "), strings.Join(dashAll(f.names), ","))
			default:
				spec = dashed(f.names[0])
			}
			action := ""
			switch f.value {
			case "file":
				action = ":file:_files"
			case "status":
				action = ":status:(up down)"
			case "zone":
				action = ":time zone:_time_zone"
			case "value":
				action = ":value: "
			}
			if strings.HasPrefix(spec, "'(") {
				fmt.Fprintf(w, "            %s'[%s]%s' \\\n", spec, zshQuote(f.usage), action)
			} else {
				fmt.Fprintf(w, "            '%s[%s]%s' \\\n", spec, zshQuote(f.usage), action)
			}
		}
		var subs []string
		for _, sub := range c.subs {
			subs = append(subs, sub.name())
		}
		switch {
		case c.job:
			fmt.Fprintf(w, "            '--[the job follows]' \\\n")
		case len(subs) > 0 && c.files:
			fmt.Fprintf(w, "            '1:file or command:{_files; compadd %s}' \\\n", strings.Join(subs, " "))
		case len(subs) > 0:
			fmt.Fprintf(w, "            '1:command:(%s)' \\\n", strings.Join(subs, " "))
		case c.files:
			fmt.Fprintf(w, "            '*:file:_files' \\\n")
		case len(c.words) > 0:
			fmt.Fprintf(w, "            '1:argument:(%s)' \\\n", strings.Join(c.words, " "))
		}
		fmt.Fprintf(w, "            && return\n        ;;\n")
	}
	fmt.Fprintf(w, "    esac\n}\n\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n    _opkuma \"$@\"\nelse\n    compdef _opkuma opkuma\nfi\n")
}

// zshRootFlags are the app's own flags for _arguments.
func zshRootFlags(root compCommand) string {
	var out []string
	for _, f := range root.flags {
		for _, n := range f.names {
			out = append(out, fmt.Sprintf("'%s[%s]'", dashed(n), zshQuote(f.usage)))
		}
	}
	return strings.Join(out, " ")
}

func dashAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = dashed(n)
	}
	return out
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func writeFish(w io.Writer, spec []compCommand) {
	fmt.Fprintf(w, "# fish completion for opkuma, generated by \"opkuma completion fish\"\n\n")
	fmt.Fprintf(w, "# True once the command line has a -- before the word being completed:\n# what follows is the job's own command line.\n")
	fmt.Fprintf(w, "function __opkuma_in_job\n    contains -- -- (commandline -opc)\nend\n\n")
	fmt.Fprintf(w, "complete -c opkuma -f\n")
	fmt.Fprintf(w, "complete -c opkuma -n '__opkuma_in_job' -F -a '(__fish_complete_subcommand --fcs-skip=(math (contains -i -- -- (commandline -opc))))'\n")
	for _, c := range topLevel(spec) {
		fmt.Fprintf(w, "complete -c opkuma -n '__fish_use_subcommand' -a %s -d %s\n", c.path, fishQuote(c.usage))
	}
	for _, c := range spec {
		cond := fmt.Sprintf("__fish_seen_subcommand_from %s; and not __opkuma_in_job", c.path)
		if c.path == "" {
			cond = "__fish_use_subcommand"
		}
		if parent, child, ok := strings.Cut(c.path, " "); ok {
			cond = fmt.Sprintf("__fish_seen_subcommand_from %s; and __fish_seen_subcommand_from %s", parent, child)
		}
		if len(c.subs) > 0 {
			var subs []string
			for _, sub := range c.subs {
				subs = append(subs, sub.name())
			}
			cond = fmt.Sprintf("__fish_seen_subcommand_from %s; and not __fish_seen_subcommand_from %s", c.path, strings.Join(subs, " "))
			for _, sub := range c.subs {
				fmt.Fprintf(w, "complete -c opkuma -n %s -a %s -d %s\n", fishQuote(cond), sub.name(), fishQuote(sub.usage))
			}
		}
		if c.files {
			fmt.Fprintf(w, "complete -c opkuma -n %s -F\n", fishQuote(cond))
		}
		if len(c.words) > 0 {
			fmt.Fprintf(w, "complete -c opkuma -n %s -a %s\n", fishQuote(cond), fishQuote(strings.Join(c.words, " ")))
		}
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c opkuma -n %s", fishQuote(cond))
			for _, n := range f.names {
				if len(n) == 1 {
					line += " -s " + n
				} else {
					line += " -l " + n
				}
			}
			switch f.value {
			case "file":
				line += " -r -F"
			case "status":
				line += " -x -a 'up down'"
			case "zone", "value":
				line += " -x"
			}
			fmt.Fprintf(w, "%s -d %s\n", line, fishQuote(f.usage))
		}
	}
}

// unquoteUsage splits a flag's usage into the name in its back quotes (the
// placeholder --help shows) and the usage without the quotes.
func unquoteUsage(usage string) (name, text string) {
	i := strings.IndexByte(usage, '`')
	if i < 0 {
		return "", usage
	}
	j := strings.IndexByte(usage[i+1:], '`')
	if j < 0 {
		return "", usage
	}
	name = usage[i+1 : i+1+j]
	return name, usage[:i] + name + usage[i+2+j:]
}
