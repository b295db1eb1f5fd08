package systemd

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Command is one command line of ExecStart= as systemd 252 stores it
// (systemd.service(5) "Command lines"): quotes and C escapes undone,
// specifiers resolved, environment references kept.
type Command struct {
	// Prefix is the special prefixes as written ("-", "@", ":", "+", "!",
	// "!!", or several such as "-+").
	Prefix string
	// Words are the path, then (with "@") argv[0], then the arguments, as
	// systemd stores them: "$$", ${NAME} and $NAME still to be expanded
	// at exec time (what systemd-analyze dump shows).
	Words []string
	// Specifiers are the % specifiers left unresolved in Words ("%h"):
	// systemd resolves them from the unit and the machine.
	Specifiers []string
	// Vars are the environment variables Words refer to, which systemd
	// replaces from the service's environment (unless Prefix has ":").
	Vars []string
}

// ErrExec is wrapped by SplitExec's errors: systemd ignores such a line
// (with "-") or refuses the unit.
var ErrExec = errors.New("invalid command line")

// Path returns the executable systemd runs: a path, or a name it looks
// up in its own PATH.
func (c Command) Path() string { return c.Words[0] }

// Argv returns the arguments the program gets, argv[0] first, as systemd
// execs it: with "@", Words without the path; "$$" made "$"; references
// to variables left as they are (see Vars); with ":" nothing replaced.
func (c Command) Argv() []string {
	w := c.Words
	if strings.Contains(c.Prefix, "@") {
		w = w[1:]
	}
	out := make([]string, len(w))
	for i, s := range w {
		if strings.Contains(c.Prefix, ":") {
			out[i] = s
		} else {
			out[i], _ = expandDollars(s)
		}
	}
	return out
}

// expandDollars undoes "$$" and lists the variables s refers to as
// systemd's replace_env_argv() reads them: ${NAME} anywhere, $NAME as the
// whole word.
func expandDollars(s string) (string, []string) {
	var vars []string
	if len(s) > 1 && s[0] == '$' && validEnvName(s[1:]) {
		return s, []string{s[1:]}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '{':
			if j := strings.IndexByte(s[i+2:], '}'); j >= 0 {
				vars = append(vars, s[i+2:i+2+j])
				b.WriteString(s[i : i+3+j])
				i += 2 + j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String(), vars
}

func validEnvName(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// specifierLetters are the % specifiers systemd 252 resolves in a unit
// (unit_full_printf()); any other letter makes the line invalid.
const specifierLetters = "aAbBcCdEfgGhHiIjJlLmMnNopPrRsStTuUvVwWyY"

// SplitExec splits one ExecStart= value into its commands (a lone ";"
// separates commands), as systemd 252's config_parse_exec() does. known
// gives the values of the specifiers the caller can resolve ('n' for
// %n); others stay in Words as written and are listed in Specifiers.
// Errors wrap ErrExec: unbalanced quotes, an unknown specifier, an empty
// or invalid path.
func SplitExec(value string, known map[byte]string) ([]Command, error) {
	var cmds []Command
	p := value
	for {
		c, rest, err := splitOne(p, known)
		if err != nil {
			return nil, fmt.Errorf("systemd: %q: %w", value, err)
		}
		cmds = append(cmds, c)
		if rest == "" {
			return cmds, nil
		}
		p = rest
	}
}

// splitOne reads the command at the start of p and returns what follows
// a ";" separator, or "" at the end.
func splitOne(p string, known map[byte]string) (Command, string, error) {
	var c Command
	first, p, err := nextWord(p)
	if err != nil {
		return c, "", err
	}
	f := first
	var ignore, argv0, noEnv, full, noSetuid, ambient bool
	for f != "" {
		switch {
		case f[0] == '-' && !ignore:
			ignore = true
		case f[0] == '@' && !argv0:
			argv0 = true
		case f[0] == ':' && !noEnv:
			noEnv = true
		case f[0] == '+' && !full && !noSetuid && !ambient:
			full = true
		case f[0] == '!' && !full && !noSetuid && !ambient:
			noSetuid = true
		case f[0] == '!' && !full && !ambient:
			noSetuid, ambient = false, true
		default:
			goto done
		}
		c.Prefix += f[:1]
		f = f[1:]
	}
done:
	path, err := c.printf(f, known)
	if err != nil {
		return c, "", err
	}
	if path == "" {
		return c, "", fmt.Errorf("empty executable path: %w", ErrExec)
	}
	if strings.ContainsAny(path, "\\\"'") || hasControl(path) {
		return c, "", fmt.Errorf("%q: executable path has special characters: %w", path, ErrExec)
	}
	if !strings.HasPrefix(path, "/") && (strings.Contains(path, "/") || path == "." || path == "..") || strings.HasSuffix(path, "/") {
		return c, "", fmt.Errorf("%q: neither an absolute path nor a file name: %w", path, ErrExec)
	}
	c.Words = []string{path}
	for p != "" {
		if p[0] == ';' && (len(p) == 1 || isSpace(p[1])) {
			return c.finish(argv0, noEnv, strings.TrimLeft(p[1:], " \t\n\r"))
		}
		if strings.HasPrefix(p, `\;`) && (len(p) == 2 || isSpace(p[2])) {
			c.Words = append(c.Words, ";")
			p = strings.TrimLeft(p[2:], " \t\n\r")
			continue
		}
		var w string
		w, p, err = nextWord(p)
		if err != nil {
			return c, "", err
		}
		if w, err = c.printf(w, known); err != nil {
			return c, "", err
		}
		c.Words = append(c.Words, w)
	}
	return c.finish(argv0, noEnv, "")
}

func (c Command) finish(argv0, noEnv bool, rest string) (Command, string, error) {
	if argv0 && len(c.Words) < 2 {
		return c, "", fmt.Errorf("empty argv[0] after \"@\": %w", ErrExec)
	}
	if !noEnv {
		for _, w := range c.Words[1:] {
			_, vs := expandDollars(w)
			c.Vars = append(c.Vars, vs...)
		}
	}
	return c, rest, nil
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// printf resolves the specifiers of one word as unit_full_printf() does.
func (c *Command) printf(w string, known map[byte]string) (string, error) {
	if !strings.Contains(w, "%") {
		return w, nil
	}
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if w[i] != '%' || i+1 == len(w) { // a trailing lone % stays
			b.WriteByte(w[i])
			continue
		}
		i++
		l := w[i]
		switch v, ok := known[l]; {
		case l == '%':
			b.WriteByte('%')
		case !strings.Contains(specifierLetters, string(l)):
			return "", fmt.Errorf("unknown specifier %%%c: %w", l, ErrExec)
		case ok:
			b.WriteString(v)
		default:
			b.WriteString(w[i-1 : i+1])
			c.Specifiers = append(c.Specifiers, w[i-1:i+1])
		}
	}
	return b.String(), nil
}

// nextWord is systemd 252's extract_first_word() with EXTRACT_UNQUOTE |
// EXTRACT_CUNESCAPE, retried with EXTRACT_UNESCAPE_RELAX as
// extract_first_word_and_warn() does: an unknown escape is kept as
// written. It returns the word and the rest after the separators.
func nextWord(p string) (string, string, error) {
	p = strings.TrimLeft(p, " \t\n\r")
	var b strings.Builder
	var quote byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 == len(p) {
				if quote != 0 {
					return "", "", fmt.Errorf("unbalanced quoting: %w", ErrExec)
				}
				b.WriteByte('\\')
				return b.String(), "", nil
			}
			n, s, ok := cunescapeOne(p[i+1:])
			if !ok {
				b.WriteByte('\\')
				b.WriteByte(p[i+1])
				i++
				continue
			}
			b.WriteString(s)
			i += n
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				b.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
		case isSpace(c):
			return b.String(), strings.TrimLeft(p[i:], " \t\n\r"), nil
		default:
			b.WriteByte(c)
		}
	}
	if quote != 0 {
		return "", "", fmt.Errorf("unbalanced quoting: %w", ErrExec)
	}
	return b.String(), "", nil
}

// cunescapeOne reads one C escape after a backslash, as systemd's
// cunescape_one(): it returns the bytes read, the text they stand for,
// and false for an escape systemd does not know (or a NUL).
func cunescapeOne(p string) (int, string, bool) {
	hex := func(s string, n int) (rune, bool) {
		if len(s) < n {
			return 0, false
		}
		var v rune
		for _, c := range s[:n] {
			var d rune
			switch {
			case c >= '0' && c <= '9':
				d = c - '0'
			case c >= 'a' && c <= 'f':
				d = c - 'a' + 10
			case c >= 'A' && c <= 'F':
				d = c - 'A' + 10
			default:
				return 0, false
			}
			v = v<<4 | d
		}
		return v, v != 0
	}
	switch p[0] {
	case 'a':
		return 1, "\a", true
	case 'b':
		return 1, "\b", true
	case 'f':
		return 1, "\f", true
	case 'n':
		return 1, "\n", true
	case 'r':
		return 1, "\r", true
	case 't':
		return 1, "\t", true
	case 'v':
		return 1, "\v", true
	case '\\', '"', '\'':
		return 1, p[:1], true
	case 's':
		return 1, " ", true
	case 'x':
		v, ok := hex(p[1:], 2)
		return 3, string([]byte{byte(v)}), ok
	case 'u':
		v, ok := hex(p[1:], 4)
		return 5, string(v), ok && utf8.ValidRune(v)
	case 'U':
		v, ok := hex(p[1:], 8)
		return 9, string(v), ok && utf8.ValidRune(v)
	case '0', '1', '2', '3', '4', '5', '6', '7':
		if len(p) < 3 {
			return 0, "", false
		}
		var v int
		for _, c := range p[:3] {
			if c < '0' || c > '7' {
				return 0, "", false
			}
			v = v<<3 | int(c-'0')
		}
		return 3, string([]byte{byte(v)}), v != 0 && v <= 255
	}
	return 0, "", false
}

// QuoteExec returns an ExecStart= value (without prefixes) that SplitExec
// and systemd split back into a command whose Argv is argv: "%" written
// "%%", "$" written "$$", and a word with a space, quote, backslash,
// semicolon, control character or invalid UTF-8 put in double quotes
// with C escapes. argv[0] is the path run: it cannot start with a prefix
// character (- @ : + !), and no word can hold a NUL byte.
func QuoteExec(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = strings.ReplaceAll(a, "$", "$$")
	}
	return quoteWords(words)
}

// quoteWords quotes words already in the form systemd stores (Command.Words):
// only "%" is escaped, so "$" references keep their meaning.
func quoteWords(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		w = strings.ReplaceAll(w, "%", "%%")
		if w != "" && !strings.ContainsAny(w, " \t\n\r\"'\\;") && !hasControl(w) && utf8.ValidString(w) {
			b.WriteString(w)
			continue
		}
		b.WriteByte('"')
		for j := 0; j < len(w); j++ {
			switch c := w[j]; {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < ' ' || c == 0x7f:
				fmt.Fprintf(&b, `\x%02x`, c)
			case c >= utf8.RuneSelf:
				r, n := utf8.DecodeRuneInString(w[j:])
				if r == utf8.RuneError && n == 1 {
					fmt.Fprintf(&b, `\x%02x`, c)
					continue
				}
				b.WriteString(w[j : j+n])
				j += n - 1
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
	}
	return b.String()
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}
