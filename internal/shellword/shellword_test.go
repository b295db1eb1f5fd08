package shellword

import (
	"os/exec"
	"testing"
)

// TestQuote checks Quote against sh itself: every word, quoted, comes back
// from sh as one argument, byte for byte. Mutations caught: a shell
// character added to literal (that word comes back changed); ' not
// escaped in Single.
func TestQuote(t *testing.T) {
	words := []string{
		"plain", "a/b.c", "x=1", "50%", "a^b", "-v", "", "a b", "it's", "$HOME", "*", "a;b", "a|b", "~", "~user",
		"#x", "a\tb", "a\nb", `back\slash`, `"dq"`, "é", "(x)", "{a,b}", "[ab]", "!x", "a&b", "`id`",
	}
	for _, w := range words {
		q := Quote(w)
		if Plain(w) != (q == w) {
			t.Errorf("Quote(%q) = %q: Plain says %v", w, q, Plain(w))
		}
		out, err := exec.Command("/bin/sh", "-c", `printf '%s' `+q).Output()
		if err != nil || string(out) != w {
			t.Errorf("sh read Quote(%q) = %s as %q (%v)", w, q, out, err)
		}
	}
}

// TestBuiltin: keywords and builtins of dash, and a program that is none.
// Mutation caught: the map's regular builtins dropped (echo).
func TestBuiltin(t *testing.T) {
	for w, want := range map[string]bool{"if": true, "cd": true, ".": true, "echo": true, "true": true, "ls": false, "backup.sh": false} {
		if Builtin(w) != want {
			t.Errorf("Builtin(%q) = %v", w, !want)
		}
	}
}

// FuzzQuote: whatever the word, sh reads Quote's output back as it.
func FuzzQuote(f *testing.F) {
	for _, w := range []string{"a b", "it's", "$x", "é"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		for i := 0; i < len(w); i++ {
			if w[i] == 0 {
				return // no argument holds a NUL
			}
		}
		out, err := exec.Command("/bin/sh", "-c", `printf '%s' `+Quote(w)).Output()
		if err != nil || string(out) != w {
			t.Fatalf("sh read Quote(%q) = %s as %q (%v)", w, Quote(w), out, err)
		}
	})
}

// TestPlain checks the bytes sh reads literally. Mutations caught: the
// bounds a, z, A, Z of the letter ranges made strict; a byte of literal
// dropped.
func TestPlain(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"a", true}, {"z", true}, {"A", true}, {"Z", true}, {"0", true}, {"9", true},
		{"/usr/bin/x_y-1.2:3,@+=%^", true},
		{"", false}, {"`", false}, {"{", false}, {"@a[", false}, {"a b", false}, {"$x", false}, {"é", false},
	} {
		if got := Plain(tc.s); got != tc.want {
			t.Errorf("Plain(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
