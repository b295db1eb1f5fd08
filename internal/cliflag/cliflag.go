// Package cliflag holds what opkuma's command line needs of urfave/cli v2
// beyond the library: boolean flags that take yes/no/on/off and survive a
// bad environment value, flags after a command's arguments, "did you
// mean" suggestions, and usage messages a person can act on.
package cliflag

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// ParseBool reads the words people write for a boolean, in any case:
// 1/0, true/false, yes/no, on/off (and t/f, y/n).
func ParseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "y", "yes", "on":
		return true, true
	case "0", "f", "false", "n", "no", "off":
		return false, true
	}
	return false, false
}

// BoolWords is what ParseBool takes, for messages.
const BoolWords = "1/0, true/false, yes/no or on/off"

// Env is what the flags of one app share: the environment they read
// (through Env.Getenv, so tests control it) and the warnings about
// settings that could not be used, printed once the command line is read.
type Env struct {
	Getenv   func(string) string
	Verbose  bool // the top-level --verbose, for every command that has one
	warnings []string
}

// lookup returns the first non-empty variable of names.
func (fe *Env) lookup(names []string) (name, value string) {
	if fe == nil || fe.Getenv == nil {
		return "", ""
	}
	for _, n := range names {
		if v := fe.Getenv(n); v != "" {
			return n, v
		}
	}
	return "", ""
}

// warnf records a warning about a setting; the job still runs.
func (fe *Env) warnf(format string, args ...any) {
	if fe != nil {
		fe.warnings = append(fe.warnings, fmt.Sprintf(format, args...))
	}
}

// BoolFlag is a boolean flag (a drop-in for cli.BoolFlag) that takes the
// words of ParseBool: --name, --name=yes, --name=off. A word it cannot read
// on the command line is a usage error; in an environment variable of
// EnvVars it is a warning and the default is kept, since one odd setting
// in /etc/environment must not stop every job.
type BoolFlag struct {
	Name        string
	Aliases     []string
	Usage       string
	EnvVars     []string
	Value       bool  // the default
	Destination *bool // where the value goes; optional

	env *Env
	set bool // by the command line or the environment
}

// boolValue is the flag.Value of a BoolFlag; IsBoolFlag lets it stand
// without a value.
type boolValue struct {
	dest *bool
	set  *bool
}

func (b *boolValue) Set(s string) error {
	v, ok := ParseBool(s)
	if !ok {
		return fmt.Errorf("want %s", BoolWords)
	}
	*b.dest, *b.set = v, true
	return nil
}

func (b *boolValue) String() string {
	if b == nil || b.dest == nil {
		return "false"
	}
	return fmt.Sprint(*b.dest)
}

func (b *boolValue) IsBoolFlag() bool { return true }

func (f *BoolFlag) bind(fe *Env) { f.env = fe }

// Apply defines the flag and its aliases in set, with the environment's
// value (when readable) as the default.
func (f *BoolFlag) Apply(set *flag.FlagSet) error {
	if f.Destination == nil {
		f.Destination = new(bool)
	}
	*f.Destination = f.Value
	if name, raw := f.env.lookup(f.EnvVars); name != "" {
		if v, ok := ParseBool(raw); ok {
			*f.Destination, f.set = v, true
		} else {
			f.env.warnf("%s=%q is not %s: using %t", name, raw, BoolWords, f.Value)
		}
	}
	v := &boolValue{dest: f.Destination, set: &f.set}
	for _, n := range f.Names() {
		set.Var(v, n, f.Usage)
	}
	return nil
}

// Names returns the name and aliases (without cli.FlagNames' regexp).
func (f *BoolFlag) Names() []string { return append([]string{f.Name}, f.Aliases...) }

// String is the flag's line in --help.
func (f *BoolFlag) String() string { return cli.FlagStringer(f) }

// IsSet reports whether the command line or the environment set the flag.
func (f *BoolFlag) IsSet() bool { return f.set }

// IsVisible puts the flag in --help.
func (f *BoolFlag) IsVisible() bool { return true }

// TakesValue is false: the flag stands alone.
func (f *BoolFlag) TakesValue() bool { return false }

// GetUsage returns the usage text.
func (f *BoolFlag) GetUsage() string { return f.Usage }

// GetValue is empty, as for any flag without a value.
func (f *BoolFlag) GetValue() string { return "" }

// GetDefaultText returns the default.
func (f *BoolFlag) GetDefaultText() string { return fmt.Sprint(f.Value) }

// GetEnvVars returns the environment variables read.
func (f *BoolFlag) GetEnvVars() []string { return f.EnvVars }

// namedFlag is a flag of urfave/cli's with its names computed once. Its own
// Names runs a regexp on every call, and urfave/cli asks for the names of
// every flag for every flag of a command it runs (runFlagActions, IsSet,
// lookupFlag): 800 regexp calls, most of the CPU opkuma spent before
// the job started.
type namedFlag struct {
	cli.DocGenerationFlag
	names []string
}

// Names returns the names, computed on the first call.
func (f *namedFlag) Names() []string {
	if f.names == nil {
		f.names = f.DocGenerationFlag.Names()
	}
	return f.names
}

// IsVisible is the wrapped flag's.
func (f *namedFlag) IsVisible() bool {
	v, ok := f.DocGenerationFlag.(cli.VisibleFlag)
	return !ok || v.IsVisible()
}

// GetCategory is the wrapped flag's.
func (f *namedFlag) GetCategory() string {
	if c, ok := f.DocGenerationFlag.(cli.CategorizableFlag); ok {
		return c.GetCategory()
	}
	return ""
}

// IsRequired is the wrapped flag's.
func (f *namedFlag) IsRequired() bool {
	r, ok := f.DocGenerationFlag.(cli.RequiredFlag)
	return ok && r.IsRequired()
}

// RunAction is the wrapped flag's.
func (f *namedFlag) RunAction(c *cli.Context) error {
	if a, ok := f.DocGenerationFlag.(cli.ActionableFlag); ok {
		return a.RunAction(c)
	}
	return nil
}

// WithNames wraps the flags of flags whose Names is costly in a namedFlag.
func WithNames(flags []cli.Flag) []cli.Flag {
	for i, f := range flags {
		switch f := f.(type) {
		case *BoolFlag, *namedFlag:
		case cli.DocGenerationFlag:
			flags[i] = &namedFlag{DocGenerationFlag: f}
		}
	}
	return flags
}

// unwrap returns the flag a namedFlag holds, or f.
func unwrap(f cli.Flag) cli.Flag {
	if n, ok := f.(*namedFlag); ok {
		return n.DocGenerationFlag
	}
	return f
}

// flagBinder is a flag that reads the app's Env.
type flagBinder interface{ bind(*Env) }

// WalkCommands calls fn on every command of app, subcommands included.
func WalkCommands(cmds []*cli.Command, fn func(*cli.Command)) {
	for _, c := range cmds {
		fn(c)
		WalkCommands(c.Subcommands, fn)
	}
}

// Bind sets up every command of app the same way: its flags get the
// shared Env (and urfave/cli's own, names computed once), it has no
// help subcommand, and before its action it prints the settings warnings
// (unless --silent) and takes the top-level --verbose.
func Bind(app *cli.App, fe *Env, warn func(string)) {
	for _, f := range app.Flags {
		if b, ok := f.(flagBinder); ok {
			b.bind(fe)
		}
	}
	WalkCommands(app.Commands, func(c *cli.Command) {
		c.Flags = WithNames(c.Flags)
		for _, f := range c.Flags {
			if b, ok := f.(flagBinder); ok {
				b.bind(fe)
			}
		}
		// What follows a command's flags is its arguments, never a help
		// subcommand: "opkuma run -- help" runs a job called help.
		c.HideHelpCommand = true
		before := c.Before
		c.Before = func(ctx *cli.Context) error {
			if fe.Verbose && FindFlag(c.Flags, "verbose") != nil && !ctx.IsSet("verbose") {
				if err := ctx.Set("verbose", "true"); err != nil {
					return err
				}
			}
			if !ctx.Bool("silent") {
				for _, w := range fe.warnings {
					warn(w)
				}
			}
			fe.warnings = nil
			if before != nil {
				return before(ctx)
			}
			return nil
		}
	})
}

// FindFlag returns the flag of flags called name (without dashes), or nil.
func FindFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// TakesValue reports whether f needs a value (--f VALUE), as its
// definition says.
func TakesValue(f cli.Flag) bool {
	if d, ok := f.(cli.DocGenerationFlag); ok {
		return d.TakesValue()
	}
	return false
}

// isDuration reports whether f takes a time.Duration.
func isDuration(f cli.Flag) bool {
	_, ok := unwrap(f).(*cli.DurationFlag)
	return ok
}

// Dashed returns a flag name as typed: -v, --verbose.
func Dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// Suggest returns the name among candidates nearest to typed, or "" when
// none is near enough to be what was meant: one edit away (a typo, two
// letters swapped), or close by Jaro-Winkler (a prefix, a longer slip).
func Suggest(typed string, candidates []string) string {
	best, score := "", 0.0
	for _, c := range candidates {
		if len(c) < 2 {
			continue
		}
		s := smetrics.JaroWinkler(typed, c, 0.7, 4)
		if editDistance(typed, c) <= 1 {
			s += 1
		}
		if s > score {
			best, score = c, s
		}
	}
	if score < 0.85 {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b:
// insertions, deletions, substitutions and swaps of two neighbours.
func editDistance(a, b string) int {
	prev2, prev, cur := make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// CommandOf returns the (sub)command that args name, and the index of the
// first argument after its name; nil when they name none.
func CommandOf(app *cli.App, args []string) (*cli.Command, int) {
	i := skipFlags(app.Flags, args, 1)
	var cmd *cli.Command
	for cmds := app.Commands; i < len(args); i++ {
		c := FindCommand(cmds, args[i])
		if c == nil {
			break
		}
		cmd, cmds = c, c.Subcommands
	}
	return cmd, i
}

// FlagsFirst lets flags follow the arguments of a command, as in
// "opkuma interval '0 * * * *' --runtime 1m": urfave/cli, like Go's flag
// package, stops at the first argument. Which flags take a value comes from
// their definitions. A command whose arguments are a command line of their
// own (its ArgsUsage starts with "--", as run's) is left alone: what follows
// its flags belongs to the job.
func FlagsFirst(app *cli.App, args []string) []string {
	cmd, i := CommandOf(app, args)
	if cmd == nil || strings.HasPrefix(cmd.ArgsUsage, "--") || cmd.SkipFlagParsing {
		return args
	}
	head := i
	var flags, rest []string
	for ; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			i = len(args)
		case a == "-" || !strings.HasPrefix(a, "-"):
			rest = append(rest, a)
		default:
			next := skipFlags(cmd.Flags, args, i)
			flags = append(flags, args[i:next]...)
			i = next - 1
		}
	}
	out := append(append([]string{}, args[:head]...), flags...)
	if len(rest) > 0 {
		out = append(append(out, "--"), rest...)
	}
	return out
}

// skipFlags returns the index of the first argument from i on that is not
// one of flags (or its value).
func skipFlags(flags []cli.Flag, args []string, i int) int {
	for i < len(args) {
		a := args[i]
		if a == "-" || a == "--" || !strings.HasPrefix(a, "-") {
			return i
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		i++
		if f := FindFlag(flags, name); f != nil && TakesValue(f) && !hasValue && i < len(args) {
			i++
		}
	}
	return i
}

// FindCommand returns the command of cmds called name, or nil.
func FindCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// Explain finds the first mistake among the flags that start args (a
// command's words after its name, as FlagsFirst leaves them) and says it in
// words a person can act on: an unknown flag (with a suggestion), a flag
// without its value, a value the flag cannot take. It reads the flags'
// definitions and asks each flag's own parser, never the text of an error.
// clear is false when the message needs the command's --help beside it;
// msg is "" when args hold no such mistake.
func Explain(flags []cli.Flag, args []string) (msg string, clear bool) {
	var names []string
	for _, f := range flags {
		names = append(names, f.Names()...)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-" || a == "--" || !strings.HasPrefix(a, "-") {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := FindFlag(flags, name)
		switch {
		case f == nil:
			if s := Suggest(name, names); s != "" {
				return fmt.Sprintf("unknown flag %s: did you mean %s?", Dashed(name), Dashed(s)), true
			}
			return fmt.Sprintf("unknown flag %s", Dashed(name)), false
		case TakesValue(f) && !hasValue:
			// FlagsFirst puts a -- after a last flag that had no value.
			if i+1 == len(args) || args[i+1] == "--" {
				if isDuration(f) {
					return fmt.Sprintf("%s needs a duration, e.g. 5s, 10m, 1h30m", Dashed(name)), true
				}
				return fmt.Sprintf("%s needs a value", Dashed(name)), false
			}
			i++
			value = args[i]
		case !hasValue:
			continue // a boolean standing alone
		}
		if set(f, name, value) == nil {
			continue
		}
		switch unwrap(f).(type) {
		case *BoolFlag:
			return fmt.Sprintf("%s=%s: want %s", Dashed(name), value, BoolWords), true
		case *cli.DurationFlag:
			return durationMessage(Dashed(name), value), true
		case *cli.IntFlag:
			return fmt.Sprintf("%s %s: want a whole number, e.g. 3", Dashed(name), value), true
		}
		return "", false
	}
	return "", false
}

// set gives value to the flag f called name in a flag set of its own, as
// urfave/cli would, and returns the flag's own error.
func set(f cli.Flag, name, value string) error {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := f.Apply(fs); err != nil {
		return err
	}
	return fs.Set(name, value)
}

// durationMessage says what a duration looks like, for a value that is not
// one.
func durationMessage(flagName, value string) string {
	if _, err := time.ParseDuration(value + "s"); err == nil {
		return fmt.Sprintf("%s %s: add a unit, e.g. 5s, 10m, 1h30m", flagName, value)
	}
	return fmt.Sprintf("%s %s: not a duration: write it like 5s, 10m, 1h30m", flagName, value)
}

// HelpCommand is "APP help [COMMAND [SUBCOMMAND]]": the same as
// "APP COMMAND [SUBCOMMAND] --help". unknown is its error for a name that
// is no command.
func HelpCommand(unknown func(cmds []*cli.Command, name string) error) *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "show the help of opkuma or of a command, e.g. opkuma help run",
		ArgsUsage: "[COMMAND [SUBCOMMAND]]",
		Action: func(c *cli.Context) error {
			cmds := c.App.Commands
			for _, name := range c.Args().Slice() {
				cmd := FindCommand(cmds, name)
				if cmd == nil {
					return unknown(cmds, name)
				}
				cmds = cmd.Subcommands
			}
			if !c.Args().Present() {
				return cli.ShowAppHelp(c)
			}
			args := append(append([]string{c.App.Name}, c.Args().Slice()...), "--help")
			return c.App.RunContext(c.Context, args)
		},
	}
}

// UnknownCommand says that name is not among cmds (of app), with the
// nearest visible name when one is near.
func UnknownCommand(cmds []*cli.Command, name, app string) string {
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	if s := Suggest(name, names); s != "" {
		return fmt.Sprintf("unknown command %q: did you mean %s?", name, s)
	}
	return fmt.Sprintf("unknown command %q: see '%s --help'", name, app)
}

// UsageMessage is the message for err, urfave/cli's error for the command
// line args (as FlagsFirst left them) of the app of c, or of its command
// when isSubcommand: Explain's words when it finds the mistake, else
// err's, and the --help to read when the words alone are not enough.
func UsageMessage(c *cli.Context, args []string, err error, isSubcommand bool) string {
	help := c.App.Name + " --help"
	flags, i := c.App.Flags, min(1, len(args))
	if isSubcommand {
		if c.Command.HelpName != "" {
			help = c.Command.HelpName + " --help"
		}
		var cmd *cli.Command
		if cmd, i = CommandOf(c.App, args); cmd != nil {
			flags = cmd.Flags
		}
	}
	msg, clear := Explain(flags, args[i:])
	if msg == "" {
		msg = err.Error()
	}
	if !clear {
		msg += ": see '" + help + "'"
	}
	return msg
}
