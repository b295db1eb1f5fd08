package watch

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opkuma/opkuma/internal/schedule"
)

var berlin = Spec{Schedule: "0 3 * * 1-5", TZ: "Europe/Berlin", Runtime: 5 * time.Minute, Margin: 10 * time.Minute}

// TestFormat: the line as the issue writes it. Mutation: delete the
// `m0s` trim in duration (runtime=5m0s).
func TestFormat(t *testing.T) {
	want := `opkuma: schedule="0 3 * * 1-5" tz=Europe/Berlin runtime=5m margin=10m`
	if got := Format(berlin); got != want {
		t.Errorf("Format = %s, want %s", got, want)
	}
	// Mutation: delete the `h0m` trim (runtime=1h0m).
	if got := Format(Spec{Schedule: "@daily", TZ: "UTC", Runtime: time.Hour, Margin: 90 * time.Second}); got != `opkuma: schedule="@daily" tz=UTC runtime=1h margin=1m30s` {
		t.Errorf("Format = %s", got)
	}
}

// TestParse: one row per edit a person may make in Uptime Kuma's UI, each
// naming the one-line mutation of spec.go it catches.
func TestParse(t *testing.T) {
	tests := []struct {
		name, desc string
		want       Spec
		found      bool
		err        string // "" for none
	}{
		// Mutation: `return rest, n == 1, nil` -> `return rest, n > 1, nil`.
		{"as Format writes it", Format(berlin), berlin, true, ""},
		// Mutation: `t := strings.TrimSpace(line)` -> `t := line`.
		{"among other lines, CRLF, indented", "Nightly backup of /home\r\n   opkuma: schedule=\"0 3 * * 1-5\" tz=Europe/Berlin runtime=5m margin=10m\r\nask Ann", berlin, true, ""},
		// Mutation: `strings.EqualFold(t[:len(prefix)], prefix)` -> `t[:len(prefix)] == prefix`.
		{"prefix in capitals", `OPKUMA: schedule="0 3 * * 1-5" tz=Europe/Berlin runtime=5m margin=10m`, berlin, true, ""},
		// Mutation: `values[key] += " " + word` -> `values[key] += word`.
		{"unquoted, extra spaces", "opkuma:   schedule=0  3 * *   1-5    tz=Europe/Berlin runtime=5m margin=10m  ", berlin, true, ""},
		// Mutation: drop \u201c\u201d from quotes.
		{"typographic quotes", "opkuma: schedule=\u201c0 3 * * 1-5\u201d tz=Europe/Berlin runtime=5m margin=10m", berlin, true, ""},
		// Mutation: `strings.Trim(v, quotes)` -> `strings.Trim(v, "\"")`.
		{"single quotes", `opkuma: schedule='0 3 * * 1-5' tz='Europe/Berlin' runtime='5m' margin=10m`, berlin, true, ""},
		// Mutation: `key = strings.ToLower(k)` -> `key = k`.
		{"other order and case", `opkuma: Margin=10m TZ=Europe/Berlin RUNTIME=5m Schedule="0 3 * * 1-5"`, berlin, true, ""},
		// Mutation: `regexp.MustCompile(`\s*=\s*`)` -> `regexp.MustCompile(`=`)`.
		{"spaces around =", `opkuma: schedule = "0 3 * * 1-5" tz= Europe/Berlin runtime =5m margin = 10m`, berlin, true, ""},
		// Mutation: `Margin: DefaultMargin` -> `Margin: 0` in read.
		{"defaults", `opkuma: schedule=@weekly tz=UTC`, Spec{Schedule: "@weekly", TZ: "UTC", Margin: DefaultMargin}, true, ""},
		// A systemd timer's calendar, several OnCalendar= lines.
		// Mutation: `Calendar: values["calendar"]` dropped in read.
		{"calendar", `opkuma: calendar="Mon..Fri 02:00; Sat 12:00" tz=Europe/Berlin runtime=5m`,
			Spec{Calendar: "Mon..Fri 02:00; Sat 12:00", TZ: "Europe/Berlin", Runtime: 5 * time.Minute, Margin: DefaultMargin}, true, ""},
		{"calendar and schedule", `opkuma: calendar=daily schedule=@daily tz=UTC`, Spec{}, true, "calendar: given with schedule=: keep one"},
		{"calendar that does not read", `opkuma: calendar="Mon..Fry 02:00" tz=UTC`, Spec{}, true, "calendar: "},
		// Mutation: opkumaLine's HasPrefix-by-EqualFold -> strings.Contains.
		{"not there", "created by opkuma monitor ensure\nsee opkuma: the docs", Spec{}, false, ""},
		{"empty", "", Spec{}, false, ""},
		// Mutation: `if n > 1` -> `if n > 2`.
		{"two lines", Format(berlin) + "\n" + Format(berlin), Spec{}, true, "2 lines start with"},
		// Mutation: `if !known(key)` -> `if false`.
		{"unknown key", `opkuma: schedule=@daily tz=UTC margn=10m`, Spec{}, true, `unknown key "margn"`},
		// Mutation: the `if _, seen := values[key]; seen` check -> `if false`.
		{"key twice", `opkuma: schedule=@daily tz=UTC tz=Europe/Berlin`, Spec{}, true, "tz: given twice"},
		// Mutation: delete `case "":` in Compile (LoadLocation("") is UTC).
		{"no tz", `opkuma: schedule=@daily`, Spec{}, true, "tz: missing"},
		// Mutation: delete `case "Local":` in Compile.
		{"Local", `opkuma: schedule=@daily tz=Local`, Spec{}, true, `"Local" is the zone of whoever reads it`},
		// Mutation: `return nil, nil, &SpecError{Key: "tz", ...}` after
		// LoadLocation -> ignore the error.
		{"unknown tz", `opkuma: schedule=@daily tz=Europe/Berlim`, Spec{}, true, `unknown time zone "Europe/Berlim"`},
		// Mutation: delete the `strings.TrimSpace(s.Schedule) == ""` check
		// (schedule.Parse would say "has 0 fields", not what to write).
		{"no schedule", `opkuma: tz=UTC`, Spec{}, true, "schedule: missing"},
		{"bad schedule", `opkuma: schedule="0 3 * *" tz=UTC`, Spec{}, true, "has 4 fields"},
		// Mutation: ignore ParseDuration's error in read.
		{"bad duration", `opkuma: schedule=@daily tz=UTC runtime=5 minutes`, Spec{}, true, `runtime: "5 minutes" is not a duration`},
		// Mutation: `s.Runtime < 0 || s.Margin < 0` -> `s.Runtime < 0`.
		{"negative margin", `opkuma: schedule=@daily tz=UTC margin=-5m`, Spec{}, true, "margin: negative"},
		// Mutation: `if key == ""` -> `if false` (a value for no key: panic-free but wrong).
		{"no key", `opkuma: 0 3 * * *`, Spec{}, true, `"0" before the first key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := Parse(tt.desc)
			if found != tt.found {
				t.Errorf("found = %v, want %v", found, tt.found)
			}
			if tt.err != "" {
				var se *SpecError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want a *SpecError containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Parse = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestParseWraps: callers can tell @reboot and a bad zone by their causes.
// Mutation: `Err: err` dropped from the schedule's SpecError.
func TestParseWraps(t *testing.T) {
	_, _, err := Parse("opkuma: schedule=@reboot tz=UTC")
	if !errors.Is(err, schedule.ErrReboot) {
		t.Errorf("@reboot: %v, want one wrapping schedule.ErrReboot", err)
	}
	_, _, err = Parse("opkuma: schedule=@daily tz=Nowhere/City")
	var se *SpecError
	if !errors.As(err, &se) || se.Key != "tz" || se.Err == nil {
		t.Errorf("bad zone: %#v, want a *SpecError for tz with its cause", err)
	}
}

// TestSet: the rest of the description is kept. Mutation: `lines[i] =
// Format(s)` -> `lines = append(lines, Format(s))` (a second line).
func TestSet(t *testing.T) {
	daily := Spec{Schedule: "@daily", TZ: "UTC", Margin: time.Minute}
	tests := []struct{ desc, want string }{
		{"", Format(daily)},
		// Mutation: `strings.TrimRight(description, "\r\n")` -> `description`.
		{"backups\n", "backups\n" + Format(daily)},
		{"backups\n" + Format(berlin) + "\nask Ann", "backups\n" + Format(daily) + "\nask Ann"},
	}
	for _, tt := range tests {
		if got := Set(tt.desc, daily); got != tt.want {
			t.Errorf("Set(%q) = %q, want %q", tt.desc, got, tt.want)
		}
	}
}

// FuzzParse: Parse never panics, and what it reads, Format writes back to
// the same Spec, in place of the line or on its own.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{
		Format(berlin),
		"x\n opkuma: schedule = '*/15 9-17 * * mon-fri' TZ=America/New_York margin=1h30m\ny",
		"opkuma: schedule=\u201c@monthly\u201d tz=UTC runtime=0s",
		"opkuma:",
		"opkuma: =",
		"opkuma: schedule=\"\" tz=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, desc string) {
		s, found, err := Parse(desc)
		if !found || err != nil {
			return
		}
		if got, ok, err := Parse(Format(s)); !ok || err != nil || got != s {
			t.Fatalf("Parse(Format(%+v)) = %+v, %v, %v", s, got, ok, err)
		}
		if got, ok, err := Parse(Set(desc, s)); !ok || err != nil || got != s {
			t.Fatalf("Parse(Set(%q)) = %+v, %v, %v, want %+v", desc, got, ok, err, s)
		}
	})
}

// FuzzFormat: every Spec that compiles survives Format and Parse.
func FuzzFormat(f *testing.F) {
	f.Add("0 3 * * 1-5", "Europe/Berlin", int64(5*time.Minute), int64(10*time.Minute))
	f.Add("@yearly", "UTC", int64(0), int64(1500*time.Millisecond))
	f.Add("1-10/3,30  2 * jan SUN", "Pacific/Chatham", int64(90*time.Hour), int64(1))
	f.Fuzz(func(t *testing.T, sched, tz string, runtime, margin int64) {
		s := Spec{Schedule: sched, TZ: tz, Runtime: time.Duration(runtime), Margin: time.Duration(margin)}
		if _, _, err := s.Compile(); err != nil {
			return
		}
		s.Schedule = strings.Join(strings.Fields(s.Schedule), " ")
		if got, ok, err := Parse(Format(s)); !ok || err != nil || got != s {
			t.Fatalf("Parse(%s) = %+v, %v, %v, want %+v", Format(s), got, ok, err, s)
		}
	})
}
