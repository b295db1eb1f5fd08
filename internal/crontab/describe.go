package crontab

import (
	"fmt"
	"strings"

	"github.com/opkuma/opkuma/internal/filetype"
	"github.com/opkuma/opkuma/internal/shellword"
)

// Describe says what a finding in line l means for the job and what to
// do about it, in the words of opkuma's command line: the audit's and
// wrap's lines.
func Describe(f Finding, l Line) (msg, fix string) {
	switch f.Problem {
	case InvalidLine:
		return strings.TrimPrefix(f.Text, fmt.Sprintf("line %d: ", l.Number)), "cron rejects this line: correct it, or comment it out with #"
	case UnquotedURL:
		quoted := "'" + strings.ReplaceAll(f.Text, "'", `'\''`) + "'"
		switch f.Char {
		case "#":
			return "unquoted # in the push URL: what follows it is a URL fragment, never sent to Uptime Kuma",
				"write # as %23 (\\%23 in a crontab) and put the URL in single quotes: " + quoted
		case "|":
			return "unquoted | in the push URL: cron's sh pipes opkuma into the rest of the URL, so opkuma gets no command and the job never runs",
				"put the URL in single quotes: " + quoted
		}
		return fmt.Sprintf("unquoted %s in the push URL: cron's sh ends the command there, so opkuma gets no command and the job never runs", f.Char),
			"put the URL in single quotes: " + quoted
	case UserFieldInUserCrontab:
		return fmt.Sprintf("this looks like a system crontab's line (/etc/crontab, /etc/cron.d): %s is a user, and read as a user crontab the job would run a command called %s", f.Text, f.Text),
			"audit a system crontab with --system (opkuma crontab --system FILE)"
	case NoUserField:
		return fmt.Sprintf("no user field: in a system crontab the field after the schedule is the user, so cron looks for a user named %s and never runs the job", f.Text),
			"put the user the job runs as after the schedule: " + l.Schedule + " root " + l.Raw[f.Column-1:]
	case BarePercent:
		return fmt.Sprintf("bare %% at column %d: cron ends the command there and sends the rest to the job's standard input (a date +%%F is cut short)", f.Column),
			`write \% for a literal % (keep a bare % only to feed standard input)`
	case WrapperNotOnPath:
		return fmt.Sprintf("%s is not on the job's PATH (%s): cron finds no opkuma and the job never runs", f.Text, f.Path),
			"call opkuma by its absolute path (e.g. /usr/local/bin/opkuma), or set PATH= above this line to a list that holds it"
	case WrapperRelative:
		return fmt.Sprintf("opkuma is called by a relative path (%s), which cron reads from the user's home directory", f.Text),
			"call opkuma by its absolute path, e.g. /usr/local/bin/opkuma"
	case WrapperNotFound:
		return fmt.Sprintf("%s: not found on this machine: the job never runs", f.Text),
			"install opkuma there, or correct the path"
	case WrapperNotExecutable:
		return fmt.Sprintf("%s is not executable: the job never runs", f.Text), "chmod 755 " + shellword.Quote(f.Text)
	case NoEndOfOptions:
		return fmt.Sprintf("no -- before the job (%s): opkuma may take the job's options for its own", f.Text),
			"put -- between opkuma run's options and the job"
	case NoJob:
		return "no job after opkuma run's options: nothing runs", "put the job's command after --"
	case JobNotFound:
		if strings.Contains(f.Text, "/") {
			return fmt.Sprintf("the job's command %s is not found on this machine (exit 127)", f.Text), "correct the path, or install the command"
		}
		return fmt.Sprintf("the job's command %s is not found on the job's PATH (%s) on this machine (exit 127)", f.Text, f.Path),
			"call it by its absolute path, or set PATH= above this line to a list that holds it"
	case JobNotExecutable:
		return fmt.Sprintf("the job's command %s is not executable (exit 126)", f.Text), "chmod +x " + shellword.Quote(f.Text)
	case URLFileMissing:
		return fmt.Sprintf("the URL file %s does not exist on this machine: the job runs, nothing is pushed, so the monitor goes down", f.Text),
			fmt.Sprintf("install -m 600 /dev/null %s as the job's user, then write the push URL in it", shellword.Quote(f.Text))
	case URLFileReadable:
		return fmt.Sprintf("the URL file %s can be read by group or others (mode %04o): opkuma does not push from it (whoever reads it could push to the monitor): the job runs, nothing is pushed", f.Text, f.Mode),
			"chmod 600 " + shellword.Quote(f.Text)
	case URLFileNotRegular:
		return fmt.Sprintf("the URL file %s is not a regular file (%s): opkuma does not read it: the job runs, nothing is pushed", f.Text, filetype.Name(f.Mode)),
			"put the push URL in a regular file of mode 600 and give its path to --url-file"
	case URLFileEmpty:
		return fmt.Sprintf("the URL file %s is empty: the job runs, nothing is pushed", f.Text),
			"write the monitor's push URL in it"
	case CAFileMissing:
		return fmt.Sprintf("the CA file %s does not exist on this machine: the job runs, nothing is pushed", f.Text),
			"install the CA certificate (PEM) there, or correct the path"
	case NoPushURL:
		return "no push URL: neither --url, --url-file nor OPKUMA_URL (on the line or above it): the job runs, nothing is pushed",
			"add --url-file FILE (a file of mode 600 holding the push URL) to opkuma run's options"
	case UsageError:
		return fmt.Sprintf("opkuma stops at its own command line (exit 2) and the job never runs: %s", f.Text),
			"correct opkuma's options (try the line by hand with --dry-run)"
	case PipelineHidesFailure:
		return "the job is a pipeline: its exit status is its last command's, so a failure before it (a failed dump piped to gzip) counts as success and pushes an UP beat",
			"add --shell /bin/bash --pipefail to opkuma run's options, so that a failure anywhere in the pipeline fails the run"
	}
	return string(f.Problem), "see opkuma crontab --help"
}
