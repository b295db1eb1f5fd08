package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestOf(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-24T10:00:00Z"}}
	tests := []struct {
		name                string
		version, commit, dt string
		info                *debug.BuildInfo
		want                string
	}{
		{"release build (ldflags)", "v1.2.0", "abc1234", "2026-11-01T00:00:00Z", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			"v1.2.0 abc1234 2026-11-01T00:00:00Z"},
		{"go install @v1.3.0", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}},
			"v1.3.0  "},
		{"go build in a clone", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			"(devel) 0123456789ab 2026-11-24T10:00:00Z"},
		{"no build info", "", "", "", nil, "(devel)  "},
	}
	// Mutation caught: "unknown" placeholders back (a clone's build said
	// "(devel) (commit unknown, built unknown)", #16).
	for _, tt := range tests {
		b := of(tt.version, tt.commit, tt.dt, tt.info)
		if got := b.Version + " " + b.Commit + " " + b.Date; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
