package pusher

import "strings"

// Redact replaces, in any text (an error, a job's output, a command line),
// every push token that follows api/push/ (also URL-encoded, once or
// twice, any letter case: Express routes ignore case), in any spelling of
// its characters (plain, %HH or %25HH), and every password in a URL's
// userinfo with ****. Use Endpoint.Redact when the token is known: it also
// catches the bare token, in any spelling.
func Redact(text string) string { return redactText(text, "") }

// What precedes a push token in a URL path, lower-cased: plain and
// URL-encoded.
const (
	pushMarker         = "api/push/"
	pushMarkerEscaped  = "api%2fpush%2f"
	pushMarkerEscaped2 = "api%252fpush%252f"
)

// redactText is the one redaction function: everything pusher returns and
// everything cmd prints passes through it.
func redactText(text, token string) string {
	if token != "" {
		text = redactToken(text, token)
	}
	text = redactAfter(text, pushMarker)
	text = redactAfter(text, pushMarkerEscaped)
	text = redactAfter(text, pushMarkerEscaped2)
	return redactPasswords(text)
}

// redactToken replaces every spelling of token in text with ****: each of
// its characters plain, or escaped as %HH or %25HH (a URL inside a query),
// with hex digits of any case.
func redactToken(text, token string) string {
	var b strings.Builder
	last, changed := 0, false
	for i := 0; i < len(text); {
		n := matchToken(text[i:], token)
		if n == 0 {
			i++
			continue
		}
		b.WriteString(text[last:i])
		b.WriteString("****")
		i += n
		last, changed = i, true
	}
	if !changed {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// matchToken returns the length of the spelling of token that s starts
// with, or 0.
func matchToken(s, token string) int {
	j := 0
	for i := 0; i < len(token); i++ {
		c, n := tokenChar(s[j:])
		if n == 0 || c != token[i] {
			return 0
		}
		j += n
	}
	return j
}

// tokenChar decodes the letter or digit that s starts with, plain, %HH or
// %25HH, and returns it and the length of its spelling; n is 0 when s
// starts with none.
func tokenChar(s string) (c byte, n int) {
	switch {
	case s == "":
		return 0, 0
	case isAlnum(s[0]):
		return s[0], 1
	case s[0] != '%':
		return 0, 0
	case len(s) >= 5 && s[1:3] == "25":
		if c, ok := unhex2(s[3:5]); ok && isAlnum(c) {
			return c, 5
		}
	}
	if len(s) >= 3 {
		if c, ok := unhex2(s[1:3]); ok && isAlnum(c) {
			return c, 3
		}
	}
	return 0, 0
}

func unhex2(s string) (byte, bool) {
	hi, ok1 := unhex(s[0])
	lo, ok2 := unhex(s[1])
	return hi<<4 | lo, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// redactAfter replaces the run of letters and digits (each plain, %HH or
// %25HH) after each case-insensitive occurrence of marker (lower-case
// ASCII) with ****.
func redactAfter(text, marker string) string {
	var b strings.Builder
	rest, changed := text, false
	for {
		i := indexFold(rest, marker)
		if i < 0 {
			break
		}
		end := i + len(marker)
		j := end
		for {
			_, n := tokenChar(rest[j:])
			if n == 0 {
				break
			}
			j += n
		}
		b.WriteString(rest[:end])
		if j > end {
			b.WriteString("****")
			changed = true
		}
		rest = rest[j:]
	}
	if !changed {
		return text
	}
	b.WriteString(rest)
	return b.String()
}

// redactPasswords replaces the password of every scheme://user:password@
// in text with ****.
func redactPasswords(text string) string {
	var b strings.Builder
	rest, changed := text, false
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		start := i + len("://")
		// The userinfo ends at '@' before any '/', space or quote.
		end := strings.IndexAny(rest[start:], "@/ \t\n\"'")
		if end < 0 || rest[start+end] != '@' {
			b.WriteString(rest[:start])
			rest = rest[start:]
			continue
		}
		colon := strings.IndexByte(rest[start:start+end], ':')
		if colon < 0 {
			b.WriteString(rest[:start+end])
		} else {
			b.WriteString(rest[:start+colon+1])
			b.WriteString("****")
			changed = true
		}
		rest = rest[start+end:]
	}
	if !changed {
		return text
	}
	b.WriteString(rest)
	return b.String()
}

// indexFold is strings.Index for a lower-case ASCII pattern, ignoring the
// case of ASCII letters in s.
func indexFold(s, lower string) int {
	n := len(lower)
	for i := 0; i+n <= len(s); i++ {
		if s[i] != lower[0] && s[i]|0x20 != lower[0] {
			continue
		}
		if strings.EqualFold(s[i:i+n], lower) {
			return i
		}
	}
	return -1
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
