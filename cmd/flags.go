package cmd

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// parseBool reads the words people write for a boolean, in any case:
// 1/0, true/false, yes/no, on/off (and t/f, y/n).
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "y", "yes", "on":
		return true, true
	case "0", "f", "false", "n", "no", "off":
		return false, true
	}
	return false, false
}

// boolWords is what parseBool takes, for messages.
const boolWords = "1/0, true/false, yes/no or on/off"

// flagEnv is what the flags of one app share: the environment they read
// (through Env.Getenv, so tests control it) and the warnings about
// settings that could not be used, printed once the command line is read.
type flagEnv struct {
	getenv   func(string) string
	warnings []string
	verbose  bool // the top-level --verbose
}

// lookup returns the first non-empty variable of names.
func (fe *flagEnv) lookup(names []string) (name, value string) {
	if fe == nil || fe.getenv == nil {
		return "", ""
	}
	for _, n := range names {
		if v := fe.getenv(n); v != "" {
			return n, v
		}
	}
	return "", ""
}

// warnf records a warning about a setting; the job still runs.
func (fe *flagEnv) warnf(format string, args ...any) {
	if fe != nil {
		fe.warnings = append(fe.warnings, fmt.Sprintf(format, args...))
	}
}

// boolFlag is a boolean flag (a drop-in for cli.BoolFlag) that takes the
// words of parseBool: --name, --name=yes, --name=off. A word it cannot read
// on the command line is a usage error; in an environment variable of
// EnvVars it is a warning and the default is kept, since one odd setting
// in /etc/environment must not stop every job.
type boolFlag struct {
	Name        string
	Aliases     []string
	Usage       string
	EnvVars     []string
	Value       bool  // the default
	Destination *bool // where the value goes; optional

	env *flagEnv
	set bool // by the command line or the environment
}

// boolValue is the flag.Value of a boolFlag; IsBoolFlag lets it stand
// without a value.
type boolValue struct {
	dest *bool
	set  *bool
}

func (b *boolValue) Set(s string) error {
	v, ok := parseBool(s)
	if !ok {
		return fmt.Errorf("want %s", boolWords)
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

func (f *boolFlag) bind(fe *flagEnv) { f.env = fe }

// Apply defines the flag and its aliases in set, with the environment's
// value (when readable) as the default.
func (f *boolFlag) Apply(set *flag.FlagSet) error {
	if f.Destination == nil {
		f.Destination = new(bool)
	}
	*f.Destination = f.Value
	if name, raw := f.env.lookup(f.EnvVars); name != "" {
		if v, ok := parseBool(raw); ok {
			*f.Destination, f.set = v, true
		} else {
			f.env.warnf("%s=%q is not %s: using %t", name, raw, boolWords, f.Value)
		}
	}
	v := &boolValue{dest: f.Destination, set: &f.set}
	for _, n := range f.Names() {
		set.Var(v, n, f.Usage)
	}
	return nil
}

// Names returns the name and aliases (without cli.FlagNames' regexp).
func (f *boolFlag) Names() []string { return append([]string{f.Name}, f.Aliases...) }

// String is the flag's line in --help.
func (f *boolFlag) String() string { return cli.FlagStringer(f) }

// IsSet reports whether the command line or the environment set the flag.
func (f *boolFlag) IsSet() bool { return f.set }

// IsVisible puts the flag in --help.
func (f *boolFlag) IsVisible() bool { return true }

// TakesValue is false: the flag stands alone.
func (f *boolFlag) TakesValue() bool { return false }

// GetUsage returns the usage text.
func (f *boolFlag) GetUsage() string { return f.Usage }

// GetValue is empty, as for any flag without a value.
func (f *boolFlag) GetValue() string { return "" }

// GetDefaultText returns the default.
func (f *boolFlag) GetDefaultText() string { return fmt.Sprint(f.Value) }

// GetEnvVars returns the environment variables read.
func (f *boolFlag) GetEnvVars() []string { return f.EnvVars }

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

// withNames wraps the flags of flags whose Names is costly in a namedFlag.
func withNames(flags []cli.Flag) []cli.Flag {
	for i, f := range flags {
		switch f := f.(type) {
		case *boolFlag, *namedFlag:
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

// flagBinder is a flag that reads the app's flagEnv.
type flagBinder interface{ bind(*flagEnv) }

// walkCommands calls fn on every command of app, subcommands included.
func walkCommands(cmds []*cli.Command, fn func(*cli.Command)) {
	for _, c := range cmds {
		fn(c)
		walkCommands(c.Subcommands, fn)
	}
}

// bindFlags sets up every command of app the same way: its flags get the
// shared flagEnv (and urfave/cli's own, names computed once), it has no
// help subcommand, and before its action it prints the settings warnings
// (unless --silent) and takes the top-level --verbose.
func bindFlags(app *cli.App, fe *flagEnv, warn func(string)) {
	for _, f := range app.Flags {
		if b, ok := f.(flagBinder); ok {
			b.bind(fe)
		}
	}
	walkCommands(app.Commands, func(c *cli.Command) {
		c.Flags = withNames(c.Flags)
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
			if fe.verbose && findFlag(c.Flags, "verbose") != nil && !ctx.IsSet("verbose") {
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

// findFlag returns the flag of flags called name (without dashes), or nil.
func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// takesValue reports whether f needs a value (--f VALUE), as its
// definition says.
func takesValue(f cli.Flag) bool {
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

// dashed returns a flag name as typed: -v, --verbose.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// suggest returns the name among candidates nearest to typed, or "" when
// none is near enough to be what was meant: one edit away (a typo, two
// letters swapped), or close by Jaro-Winkler (a prefix, a longer slip).
func suggest(typed string, candidates []string) string {
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

// usageMessage turns an error of Go's flag package, as urfave/cli returns
// it for the flags of cmd, into a message a person can act on. ok is false
// for errors it does not know.
func usageMessage(cmd *cli.Command, err error) (msg string, ok bool) {
	text := err.Error()
	var names []string
	for _, f := range cmd.Flags {
		names = append(names, f.Names()...)
	}
	if name, found := strings.CutPrefix(text, "flag provided but not defined: -"); found {
		name = strings.TrimLeft(name, "-")
		if s := suggest(name, names); s != "" {
			return fmt.Sprintf("unknown flag %s: did you mean %s?", dashed(name), dashed(s)), true
		}
		return fmt.Sprintf("unknown flag %s", dashed(name)), false
	}
	var value, name string
	if n, _ := fmt.Sscanf(text, "invalid value %q for flag -%s", &value, &name); n == 2 && value == "--" {
		// flagsFirst put the -- after a last flag that had no value.
		text = "flag needs an argument: -" + strings.TrimSuffix(name, ":")
	}
	if name, found := strings.CutPrefix(text, "flag needs an argument: -"); found {
		f := findFlag(cmd.Flags, name)
		if f != nil && isDuration(f) {
			return fmt.Sprintf("%s needs a duration, e.g. 5s, 10m, 1h30m", dashed(name)), true
		}
		return fmt.Sprintf("%s needs a value", dashed(name)), false
	}
	if n, _ := fmt.Sscanf(text, "invalid boolean value %q for -%s", &value, &name); n == 2 {
		name = strings.TrimSuffix(name, ":")
		return fmt.Sprintf("%s=%s: want %s", dashed(name), value, boolWords), true
	}
	if n, _ := fmt.Sscanf(text, "invalid value %q for flag -%s", &value, &name); n == 2 {
		name = strings.TrimSuffix(name, ":")
		f := findFlag(cmd.Flags, name)
		switch {
		case f != nil && isDuration(f):
			return durationMessage(dashed(name), value), true
		case f != nil:
			if _, isInt := unwrap(f).(*cli.IntFlag); isInt {
				return fmt.Sprintf("%s %s: want a whole number, e.g. 3", dashed(name), value), true
			}
		}
	}
	return text, false
}

// durationMessage says what a duration looks like, for a value that is not
// one.
func durationMessage(flagName, value string) string {
	if _, err := time.ParseDuration(value + "s"); err == nil {
		return fmt.Sprintf("%s %s: add a unit, e.g. 5s, 10m, 1h30m", flagName, value)
	}
	return fmt.Sprintf("%s %s: not a duration: write it like 5s, 10m, 1h30m", flagName, value)
}
