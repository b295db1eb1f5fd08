package pusher

import (
	"testing"
	"time"
)

func BenchmarkEndpointURL(b *testing.B) {
	e, err := ParseEndpoint("https://kuma.example.com/api/push/AbC123xyz9?status=up&msg=OK&ping=")
	if err != nil {
		b.Fatal(err)
	}
	h := Heartbeat{Msg: "backup done in 12 s", Elapsed: 12 * time.Second}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.URL(h).String()
	}
}

func BenchmarkParseEndpoint(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEndpoint("https://kuma.example.com/api/push/AbC123xyz9?status=up&msg=OK&ping="); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	e, _ := ParseEndpoint("https://kuma.example.com/api/push/AbC123xyz9")
	msg := `Get "https://kuma.example.com/api/push/AbC123xyz9?msg=OK&ping=12&status=up": dial tcp 10.0.0.1:443: connect: connection refused`
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Redact(msg)
	}
}
