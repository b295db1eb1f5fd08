package cliflag

import (
	"flag"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestParseBool(t *testing.T) {
	tests := []struct {
		in     string
		want   bool
		wantOK bool
	}{
		{"1", true, true}, {"0", false, true},
		{"true", true, true}, {"FALSE", false, true},
		{"yes", true, true}, {"No", false, true},
		{"on", true, true}, {"OFF", false, true},
		{" yes ", true, true},
		{"maybe", false, false}, {"", false, false}, {"2", false, false}, {"enabled", false, false},
	}
	for _, tt := range tests {
		got, ok := ParseBool(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseBool(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

// parse applies flags to a fresh flag set with the environment env and
// parses args, as urfave/cli does for a command.
func parse(t *testing.T, f *BoolFlag, env map[string]string, args ...string) (*Env, error) {
	t.Helper()
	fe := &Env{Getenv: func(k string) string { return env[k] }}
	f.bind(fe)
	set := flag.NewFlagSet("test", flag.ContinueOnError)
	set.SetOutput(new(strings.Builder))
	if err := f.Apply(set); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return fe, set.Parse(args)
}

func TestBoolFlag(t *testing.T) {
	const v = "OPKUMA_X"
	tests := []struct {
		name     string
		dflt     bool
		env      map[string]string
		args     []string
		want     bool
		wantSet  bool
		wantErr  bool
		wantWarn string
	}{
		{name: "unset", want: false},
		{name: "default true", dflt: true, want: true},
		{name: "bare flag", args: []string{"--x"}, want: true, wantSet: true},
		{name: "alias", args: []string{"-y"}, want: true, wantSet: true},
		{name: "flag=yes", args: []string{"--x=yes"}, want: true, wantSet: true},
		{name: "flag=Off", dflt: true, args: []string{"--x=Off"}, want: false, wantSet: true},
		{name: "flag=maybe", args: []string{"--x=maybe"}, wantErr: true},
		{name: "env on", env: map[string]string{v: "ON"}, want: true, wantSet: true},
		{name: "env 0 over default", dflt: true, env: map[string]string{v: "0"}, want: false, wantSet: true},
		{name: "env empty is unset", env: map[string]string{v: ""}, want: false},
		{name: "env bad warns, keeps default", dflt: true, env: map[string]string{v: "maybe"}, want: true,
			wantWarn: `OPKUMA_X="maybe" is not 1/0, true/false, yes/no or on/off: using true`},
		{name: "flag beats env", env: map[string]string{v: "yes"}, args: []string{"--x=no"}, want: false, wantSet: true},
		{name: "flag beats bad env", env: map[string]string{v: "maybe"}, args: []string{"--x"}, want: true, wantSet: true,
			wantWarn: `OPKUMA_X="maybe" is not 1/0, true/false, yes/no or on/off: using false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dest bool
			f := &BoolFlag{Name: "x", Aliases: []string{"y"}, EnvVars: []string{v}, Value: tt.dflt, Destination: &dest}
			fe, err := parse(t, f, tt.env, tt.args...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error: %v", err, tt.wantErr)
			}
			if tt.wantErr {
				if !strings.HasPrefix(err.Error(), `invalid boolean value "maybe" for -x: `) {
					t.Errorf("error %q: not the flag package's, which usageMessage reads", err)
				}
				return
			}
			if dest != tt.want || f.IsSet() != tt.wantSet {
				t.Errorf("value %v, set %v; want %v, %v", dest, f.IsSet(), tt.want, tt.wantSet)
			}
			if got := strings.Join(fe.warnings, "\n"); got != tt.wantWarn {
				t.Errorf("warnings %q, want %q", got, tt.wantWarn)
			}
		})
	}
}

func TestBoolFlagDocs(t *testing.T) {
	f := &BoolFlag{Name: "down-on-failure", Aliases: []string{"d"}, Usage: "push down", EnvVars: []string{"OPKUMA_D"}}
	if f.TakesValue() || TakesValue(f) {
		t.Error("a boolean flag takes no value")
	}
	if got := f.String(); !strings.Contains(got, "--down-on-failure, -d") || !strings.Contains(got, "push down") || !strings.Contains(got, "$OPKUMA_D") {
		t.Errorf("help line %q", got)
	}
	if got := strings.Join(f.Names(), ","); got != "down-on-failure,d" {
		t.Errorf("Names %q", got)
	}
}

func TestSuggest(t *testing.T) {
	flags := []string{"url", "url-file", "down-on-failure", "timeout", "verbose", "v", "line", "lock", "lock-wait"}
	tests := []struct{ typed, want string }{
		{"dwn-on-failure", "down-on-failure"},
		{"down-on-falure", "down-on-failure"},
		{"down", "down-on-failure"},
		{"url-flie", "url-file"},
		{"timeuot", "timeout"},
		{"verbos", "verbose"},
		{"lin", "line"},
		{"lokc", "lock"},
		{"frobnicate", ""},
		{"zzz", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.typed, flags); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
	if got := Suggest("rnu", []string{"run", "push", "interval", "crontab"}); got != "run" {
		t.Errorf("Suggest(rnu) = %q, want run", got)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"", "abc", 3}, {"abc", "", 3},
		{"rnu", "run", 1}, {"lin", "line", 1}, {"kitten", "sitting", 3}, {"ca", "abc", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestExplain: each mistake in a command's flags is named from the flags'
// definitions and their own parsers.
//
// Catches: a flag without its value at the end taken for fine (the
// i+1 == len(args) case dropped), FlagsFirst's -- taken for a value, a
// boolean's value not checked (the !hasValue case moved first), and the
// suggestion dropped.
func TestExplain(t *testing.T) {
	flags := WithNames([]cli.Flag{
		&cli.DurationFlag{Name: "timeout"},
		&cli.IntFlag{Name: "retries"},
		&cli.StringFlag{Name: "url"},
		&BoolFlag{Name: "down-on-failure"},
	})
	tests := []struct {
		args      string
		want      string
		wantClear bool
	}{
		{"--dwn-on-failure", "unknown flag --dwn-on-failure: did you mean --down-on-failure?", true},
		{"--url u --nope", "unknown flag --nope", false},
		{"-q", "unknown flag -q", false},
		{"--timeout 5", "--timeout 5: add a unit, e.g. 5s, 10m, 1h30m", true},
		{"--timeout=1.5", "--timeout 1.5: add a unit, e.g. 5s, 10m, 1h30m", true},
		{"--timeout soon -- job", "--timeout soon: not a duration: write it like 5s, 10m, 1h30m", true},
		{"--timeout -- job", "--timeout needs a duration, e.g. 5s, 10m, 1h30m", true},
		{"--down-on-failure --timeout", "--timeout needs a duration, e.g. 5s, 10m, 1h30m", true},
		{"--url", "--url needs a value", false},
		{"--retries many", "--retries many: want a whole number, e.g. 3", true},
		{"--down-on-failure=maybe", "--down-on-failure=maybe: want 1/0, true/false, yes/no or on/off", true},
		{"--down-on-failure job --nope", "", false},
		{"--url u --timeout 1s", "", false},
	}
	for _, tt := range tests {
		got, clear := Explain(flags, strings.Fields(tt.args))
		if got != tt.want || clear != tt.wantClear {
			t.Errorf("Explain(%s) = %q, %v; want %q, %v", tt.args, got, clear, tt.want, tt.wantClear)
		}
	}
}
