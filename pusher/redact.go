package pusher

import "strings"

// Redact replaces, in any text (an error, a job's output, a command line),
// every push token that follows api/push/ (also URL-encoded, any letter
// case: Express routes ignore case) and every password in a URL's userinfo
// with ****. Use Endpoint.Redact when the token is known: it also catches
// the bare token.
func Redact(text string) string { return redactText(text, "") }

// What precedes a push token in a URL path, lower-cased: plain and
// URL-encoded.
const (
	pushMarker        = "api/push/"
	pushMarkerEscaped = "api%2fpush%2f"
)

// redactText is the one redaction function: everything pusher returns and
// everything cmd prints passes through it.
func redactText(text, token string) string {
	if token != "" && strings.Contains(text, token) {
		text = strings.ReplaceAll(text, token, "****")
	}
	text = redactAfter(text, pushMarker)
	text = redactAfter(text, pushMarkerEscaped)
	return redactPasswords(text)
}

// redactAfter replaces the run of letters and digits after each
// case-insensitive occurrence of marker (lower-case ASCII) with ****.
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
		for j < len(rest) && isAlnum(rest[j]) {
			j++
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
