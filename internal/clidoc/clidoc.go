// Package clidoc renders opkuma's documents from its command tree, the
// same definitions --help reads: the manual page (roff) and the bash, zsh
// and fish completion scripts (templates under completions/, one per
// shell, checked by shellcheck, zsh -n and fish --no-execute in
// testdata/script/completion.txtar).
package clidoc

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/urfave/cli/v2"

	"github.com/opkuma/opkuma/internal/cliflag"
)

// ErrUnknownShell is Completion's error for a shell it has no script for.
var ErrUnknownShell = errors.New("no completion script for this shell: bash, zsh or fish")

// Completion writes the completion script of app for shell: "bash", "zsh"
// or "fish". It returns ErrUnknownShell for another.
func Completion(w io.Writer, app *cli.App, shell string) error {
	tmpl := completionTemplates().Lookup("opkuma." + shell + ".tmpl")
	if tmpl == nil {
		return ErrUnknownShell
	}
	var script bytes.Buffer
	if err := tmpl.Execute(&script, completionSpec(app)); err != nil {
		return fmt.Errorf("completion %s: %w", shell, err)
	}
	_, err := w.Write(script.Bytes())
	return err
}

// Words returns every command name, flag name and argument word that the
// completion scripts hold unescaped, for a test that they are plain words.
func Words(app *cli.App) []string {
	spec := completionSpec(app)
	var all []string
	for _, c := range append([]compCommand{spec.App}, spec.Commands...) {
		if c.Path != "" {
			all = append(all, c.Name(), c.Parent())
		}
		all = append(all, c.SubNames()...)
		all = append(all, c.Words...)
		for _, f := range c.Flags {
			all = append(all, f.Names...)
		}
	}
	return all
}

// The scripts are templates, opkuma.SHELL.tmpl, so that each reads as the
// shell script it becomes.
//
//go:embed completions/*.tmpl
var completionFiles embed.FS

// completionTemplates parses the templates when first asked: at start-up it
// cost every opkuma run 0.23 ms (GODEBUG=inittrace=1), a twentieth of a
// whole run of a job.
var completionTemplates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"join":         strings.Join,
		"quote":        quote,
		"quoteAll":     quoteAll,
		"wordlist":     wordlist,
		"alternatives": bashAlternatives,
		"names":        names,
		"zsh":          zshQuote,
		"fish":         fishQuote,
	}).ParseFS(completionFiles, "completions/*.tmpl"))
})

// compSpec is what the completion templates are filled from.
type compSpec struct {
	App      compCommand   // the app itself: its usage and own flags
	Commands []compCommand // its commands and their subcommands, depth first
}

// Top returns the first-level commands.
func (s compSpec) Top() []compCommand {
	var top []compCommand
	for _, c := range s.Commands {
		if !strings.Contains(c.Path, " ") {
			top = append(top, c)
		}
	}
	return top
}

// SubPaths returns the paths of the subcommands: "crontab wrap".
func (s compSpec) SubPaths() []string {
	var out []string
	for _, c := range s.Commands {
		for _, sub := range c.Subs {
			out = append(out, sub.Path)
		}
	}
	return out
}

// FileFlags returns the flags, dashed, that take a file, each once.
func (s compSpec) FileFlags() []string {
	var out []string
	for _, c := range append([]compCommand{s.App}, s.Commands...) {
		for _, f := range c.Flags {
			for _, n := range f.Dashed() {
				if f.Value == "file" && !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// compCommand is a command as the completion scripts see it, all of it
// read from its definition.
type compCommand struct {
	Path  string // "run", "crontab wrap"
	Usage string
	Flags []compFlag
	Subs  []compCommand // subcommands: path and usage
	Job   bool          // its arguments are a job's command line (ArgsUsage "-- ...")
	Files bool          // its arguments are files (ArgsUsage mentions FILE)
	Words []string      // its argument is one of these words (ArgsUsage "bash|zsh|fish")
}

// Name returns the last word of the command's path.
func (c compCommand) Name() string { return c.Path[strings.LastIndexByte(c.Path, ' ')+1:] }

// Parent returns the first word of a subcommand's path, "" for a command.
func (c compCommand) Parent() string {
	parent, _, _ := strings.Cut(c.Path, " ")
	if parent == c.Path {
		return ""
	}
	return parent
}

// SubNames returns the names of the subcommands.
func (c compCommand) SubNames() []string { return names(c.Subs) }

// Candidates returns the words that may follow the command: its flags,
// dashed, -- when a job follows, its subcommands and its argument words.
func (c compCommand) Candidates() []string {
	var out []string
	for _, f := range c.Flags {
		out = append(out, f.Dashed()...)
	}
	if c.Job {
		out = append(out, "--")
	}
	return slices.Concat(out, c.SubNames(), c.Words)
}

// argsOf reads a command's ArgsUsage: "-- COMMAND [ARGS...]" is a job,
// a FILE is files, "bash|zsh|fish" is a choice of words.
func argsOf(cc *compCommand, argsUsage string) {
	cc.Job = strings.HasPrefix(argsUsage, "--")
	cc.Files = strings.Contains(argsUsage, "FILE")
	if strings.Contains(argsUsage, "|") && strings.ToLower(argsUsage) == argsUsage && !strings.ContainsAny(argsUsage, "[]- ") {
		cc.Words = strings.Split(argsUsage, "|")
	}
}

// compFlag is a flag as the completion scripts see it.
type compFlag struct {
	Names []string // without dashes, long first
	Usage string
	Value string // "" for a boolean; else what it takes: file, status, zone, value
}

// Dashed returns the flag's names as typed: --verbose, -v.
func (f compFlag) Dashed() []string { return dashAll(f.Names) }

// dashAll returns names as typed: --verbose, -v.
func dashAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = cliflag.Dashed(n)
	}
	return out
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

// completionSpec reads the commands and flags of app.
func completionSpec(app *cli.App) compSpec {
	spec := compSpec{App: compCommand{Usage: app.Usage}}
	for _, f := range app.Flags {
		spec.App.Flags = append(spec.App.Flags, toCompFlag(f))
	}
	for _, c := range visibleCommands(app) {
		cc := compCommand{Path: c.path, Usage: c.Usage}
		for _, f := range c.Flags {
			if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
				continue // an old name kept working, not offered
			}
			cc.Flags = append(cc.Flags, toCompFlag(f))
		}
		argsOf(&cc, c.ArgsUsage)
		for _, sub := range c.Subcommands {
			if !sub.Hidden && sub.Name != "help" {
				cc.Subs = append(cc.Subs, compCommand{Path: c.path + " " + sub.Name, Usage: sub.Usage})
			}
		}
		spec.Commands = append(spec.Commands, cc)
	}
	return spec
}

func toCompFlag(f cli.Flag) compFlag {
	cf := compFlag{Names: f.Names()}
	slices.SortStableFunc(cf.Names, func(a, b string) int { return len(b) - len(a) })
	if d, ok := f.(cli.DocGenerationFlag); ok {
		var placeholder string
		placeholder, cf.Usage = unquoteUsage(d.GetUsage())
		if d.TakesValue() {
			// What the value is, from the placeholder --help shows.
			switch {
			case placeholder == "FILE" || placeholder == "PATH":
				cf.Value = "file"
			case placeholder == "ZONE":
				cf.Value = "zone"
			case cf.Names[0] == "status":
				cf.Value = "status"
			default:
				cf.Value = "value"
			}
		}
	}
	return cf
}

// names returns the commands' names.
func names(cmds []compCommand) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.Name()
	}
	return out
}

// quote returns s double-quoted for bash or zsh. Command and flag names,
// all it quotes, hold no $ or ` (TestCompletionNames).
func quote(s string) string { return fmt.Sprintf("%q", s) }

func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = quote(w)
	}
	return out
}

// wordlist returns the words of lists as one double-quoted word list, for
// compgen -W.
func wordlist(lists ...[]string) string { return quote(strings.Join(slices.Concat(lists...), " ")) }

// bashAlternatives is a bash case pattern matching any of words; a
// pattern that matches nothing when there are none.
func bashAlternatives(words []string) string {
	if len(words) == 0 {
		return "''"
	}
	return strings.Join(words, " | ")
}

// zshQuote escapes s for a single-quoted _arguments or _describe spec.
func zshQuote(s string) string {
	r := strings.NewReplacer("'", `'\''`, "[", `\[`, "]", `\]`, ":", `\:`)
	return r.Replace(s)
}

// fishQuote returns s single-quoted for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
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

// roff escapes text for a roff line: backslashes, and a leading . or '
// that would make it a request.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffBlock writes a description: paragraphs become .PP, indented lines
// (examples) are kept as they are, without filling.
func roffBlock(w io.Writer, text string) {
	inExample := false
	for _, line := range strings.Split(text, "\n") {
		indented := strings.HasPrefix(line, "   ")
		switch {
		case strings.TrimSpace(line) == "":
			if inExample {
				fmt.Fprintln(w, ".fi\n.RE")
				inExample = false
			}
			fmt.Fprintln(w, ".PP")
		case indented && !inExample:
			fmt.Fprintln(w, ".RS 4\n.nf")
			inExample = true
			fmt.Fprintln(w, roff(strings.TrimPrefix(line, "   ")))
		case indented:
			fmt.Fprintln(w, roff(strings.TrimPrefix(line, "   ")))
		default:
			if inExample {
				fmt.Fprintln(w, ".fi\n.RE")
				inExample = false
			}
			fmt.Fprintln(w, roff(line))
		}
	}
	if inExample {
		fmt.Fprintln(w, ".fi\n.RE")
	}
}

// Man writes the manual page of app in roff, generated from the same
// definitions as --help: a synopsis line and a section per command, each
// flag with its placeholder, default and environment variables, then the
// exit status, environment and notes of opkuma(1). version and date (a
// day, YYYY-MM-DD, or "") go in its title line.
func Man(w io.Writer, app *cli.App, version, date string) {
	fmt.Fprintf(w, ".TH OPKUMA 1 %q %q \"User Commands\"\n", date, "opkuma "+version)
	fmt.Fprintf(w, ".SH NAME\nopkuma \\- %s\n", roff(app.Usage))
	fmt.Fprintln(w, ".SH SYNOPSIS")
	all := visibleCommands(app)
	for _, c := range all {
		fmt.Fprintf(w, ".B opkuma %s\n[\\fIOPTIONS\\fR] %s\n.br\n", c.path, roff(c.ArgsUsage))
	}
	fmt.Fprintln(w, ".SH DESCRIPTION")
	roffBlock(w, app.Description)
	fmt.Fprintln(w, ".SH OPTIONS")
	fmt.Fprintln(w, "Before the command, for every command:")
	writeManFlags(w, app.Flags)
	fmt.Fprintln(w, ".SH COMMANDS")
	for _, c := range all {
		fmt.Fprintf(w, ".SS \"opkuma %s\"\n%s.\n", c.path, roff(c.Usage))
		if c.Description != "" {
			fmt.Fprintln(w, ".PP")
			roffBlock(w, c.Description)
		}
		writeManFlags(w, c.Flags)
	}
	fmt.Fprint(w, manTail)
}

// writeManFlags writes one .TP paragraph per flag.
func writeManFlags(w io.Writer, flags []cli.Flag) {
	for _, f := range flags {
		names := dashAll(f.Names())
		usage, value, def := "", "", ""
		if d, ok := f.(cli.DocGenerationFlag); ok {
			var placeholder string
			placeholder, usage = unquoteUsage(d.GetUsage())
			if d.TakesValue() {
				if placeholder == "" {
					placeholder = "value"
				}
				value = " \\fI" + roff(placeholder) + "\\fR"
			}
			def = d.GetDefaultText()
			if def == "" && d.TakesValue() {
				def = d.GetValue()
			}
			if len(d.GetEnvVars()) > 0 {
				usage += " [$" + strings.Join(d.GetEnvVars(), ", $") + "]"
			}
		}
		fmt.Fprintf(w, ".TP\n\\fB%s\\fR%s\n%s", roff(strings.Join(names, ", ")), value, roff(usage))
		if def != "" && def != "false" && def != "0s" && def != `""` {
			fmt.Fprintf(w, " (default: %s)", roff(def))
		}
		fmt.Fprintln(w)
	}
}

// manTail is the end of the page: what no flag definition says.
//
//go:embed opkuma.1.tail
var manTail string

// The long help of each command, as --help, the man page and the README
// show it: help/NAME.txt, NAME the command's path with dashes
// ("crontab-wrap"), "opkuma" for the program's own.
//
//go:embed help/*.txt
var helpFiles embed.FS

// Help returns the long help of the command at path ("run",
// "crontab-wrap"). It panics when there is none: a command without its
// help file is a build mistake, caught by every test that builds the app.
func Help(path string) string {
	b, err := helpFiles.ReadFile("help/" + path + ".txt")
	if err != nil {
		panic("clidoc: no help/" + path + ".txt")
	}
	return strings.TrimSuffix(string(b), "\n")
}

// HelpFiles returns the paths Help knows, for a test that each is used.
func HelpFiles() []string {
	entries, _ := helpFiles.ReadDir("help")
	var paths []string
	for _, e := range entries {
		paths = append(paths, strings.TrimSuffix(e.Name(), ".txt"))
	}
	return paths
}
