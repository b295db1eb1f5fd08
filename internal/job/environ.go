package job

import (
	"strings"

	"github.com/opkuma/opkuma/pusher"
)

// Environ is opkuma's environment as the job gets it: less the variables
// that hold a push URL (OPKUMA_URL, and any OPKUMA_ variable holding a
// push token), so the token goes nowhere but the push.
func Environ(environ []string) []string {
	env := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if name == "OPKUMA_URL" || (strings.HasPrefix(name, "OPKUMA_") && pusher.Redact(value) != value) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// Unknown returns the names of the OPKUMA_ variables of environ that are
// not among known: a typo, or a flag that has no variable.
func Unknown(environ []string, known map[string]bool) []string {
	var unknown []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "OPKUMA_") && !known[name] {
			unknown = append(unknown, name)
		}
	}
	return unknown
}
