package job

import (
	"slices"
	"testing"
)

// TestEnviron: the job gets the environment less OPKUMA_URL and any
// OPKUMA_ variable that holds a push URL; other variables, a push URL in
// a variable of another name included (not opkuma's to hide), stay.
//
// Catches: the OPKUMA_ prefix test dropped (MY_URL removed), OPKUMA_URL
// kept when empty.
func TestEnviron(t *testing.T) {
	in := []string{"PATH=/bin", "OPKUMA_URL=", "OPKUMA_URL2=https://k/api/push/Tok3nXyz", "OPKUMA_DOWN_ON_FAILURE=1", "MY_URL=https://k/api/push/Tok3nXyz", "EMPTY="}
	want := []string{"PATH=/bin", "OPKUMA_DOWN_ON_FAILURE=1", "MY_URL=https://k/api/push/Tok3nXyz", "EMPTY="}
	if got := Environ(in); !slices.Equal(got, want) {
		t.Errorf("Environ = %q, want %q", got, want)
	}
	if got := Unknown(in, map[string]bool{"OPKUMA_URL": true, "OPKUMA_DOWN_ON_FAILURE": true}); !slices.Equal(got, []string{"OPKUMA_URL2"}) {
		t.Errorf("Unknown = %q, want [OPKUMA_URL2]", got)
	}
}
