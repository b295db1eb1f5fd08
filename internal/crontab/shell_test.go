package crontab

import (
	"slices"
	"testing"
)

// TestSkipDouble: the offset after the " that closes a double quote opened
// just before i, across backquotes, $( ) and ${ } that hold a ".
func TestSkipDouble(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{`"abc" x`, 5},
		{"\"a`\"`b\" c", 7},     // a " inside `...`
		{`"$(echo ")")" x`, 13}, // a " and a ) inside $( )
		{`"${a:-"}"}" x`, 11},   // a " and a } inside ${ }
		{`"$x" y`, 4},           // $ not followed by ( or {
		{`"a\"b" c`, 6},         // an escaped "
		{`"$`, 2},               // unclosed, $ at the end
		{`"$(`, 3},              // unclosed $(
	} {
		if got := skipDouble(tc.text, 1); got != tc.want {
			t.Errorf("skipDouble(%q, 1) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

// TestTokens checks each token's span, operator, glue and first '#'.
// Mutations caught: prevEnd starting at 1 (a first token after one blank
// glued), an operator's end or hash miscounted, $( and ${ read past the
// end or from the wrong byte, nested brackets not counted, the first '#'
// of a word not kept, an empty single-quoted word read as unterminated, an
// unterminated `...` read past the end.
func TestTokens(t *testing.T) {
	type tok struct {
		start, end int
		op         string
		glued      bool
		hash       int
	}
	for _, tc := range []struct {
		text string
		want []tok
	}{
		{" &", []tok{{1, 2, "&", false, -1}}},
		{"a&&b", []tok{{0, 1, "", false, -1}, {1, 3, "&&", true, -1}, {3, 4, "", true, -1}}},
		{"a$", []tok{{0, 2, "", false, -1}}},
		{"$x b", []tok{{0, 2, "", false, -1}, {3, 4, "", false, -1}}},
		{"x${a b} c", []tok{{0, 7, "", false, -1}, {8, 9, "", false, -1}}},
		{"x$(a b) c", []tok{{0, 7, "", false, -1}, {8, 9, "", false, -1}}},
		{"a $(b c) d", []tok{{0, 1, "", false, -1}, {2, 8, "", false, -1}, {9, 10, "", false, -1}}},
		{"x#y#z", []tok{{0, 5, "", false, 1}}},
		{"a b#c", []tok{{0, 1, "", false, -1}, {2, 5, "", false, 3}}},
		{"'' x", []tok{{0, 2, "", false, -1}, {3, 4, "", false, -1}}},
		{"`abc", []tok{{0, 4, "", false, -1}}},
		{"a `b c` d", []tok{{0, 1, "", false, -1}, {2, 7, "", false, -1}, {8, 9, "", false, -1}}},
		// Nested brackets: the depth counts them (depth-- for an opening one
		// would end the word at the end of the text).
		{"$(a (b) c) d", []tok{{0, 10, "", false, -1}, {11, 12, "", false, -1}}},
		{"${a:-${b}} c", []tok{{0, 10, "", false, -1}, {11, 12, "", false, -1}}},
	} {
		var got []tok
		for _, k := range tokens(tc.text) {
			got = append(got, tok{k.start, k.end, k.op, k.glued, k.hash})
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("tokens(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestIsAssignment checks the NAME of NAME=value: letters, digits (not
// first) and '_'. Mutations caught: each bound of each range moved or
// negated, '_' negated, digits allowed first.
func TestIsAssignment(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want bool
	}{
		{"_x=1", true}, {"A=1", true}, {"Z=1", true}, {"a=1", true}, {"z=1", true},
		{"a0=1", true}, {"a5=1", true}, {"a9=1", true}, {"x_Y9=", true},
		{"0=1", false}, {"9a=1", false}, {"=1", false}, {"ab", false}, {"a-b=1", false},
		{"@=1", false}, {"[=1", false}, {"`=1", false}, {"{=1", false}, // around A-Z, a-z
		{"a/=1", false}, {"a:=1", false}, // around 0-9
	} {
		if got := isAssignment(tc.raw); got != tc.want {
			t.Errorf("isAssignment(%q) = %v, want %v", tc.raw, got, tc.want)
		}
	}
}
