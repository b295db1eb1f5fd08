// Package realkuma runs real Uptime Kuma servers for end-to-end tests. It is
// used by tests only.
//
// The servers are installed by scripts/realkuma/setup.sh from Uptime Kuma's
// sources (an archive of a tag, a directory of such archives, or a clone of
// louislam/uptime-kuma; about 30 s each, npm registry only). From the top
// of the clone, with CI's archives in ../shared/realkuma:
//
//	scripts/realkuma/setup.sh ../shared/realkuma /tmp/kuma/1.23 1.23.17
//	scripts/realkuma/setup.sh ../shared/realkuma /tmp/kuma/2.5 2.5.3
//	OPKUMA_REAL_KUMA=/tmp/kuma/1.23:/tmp/kuma/2.5 go test ./internal/realkuma ./cmd
//
// OPKUMA_REAL_KUMA holds one or more setup targets separated by ':'; tests
// run once per target through EachVersion, as subtests named after its
// version (Install.Version, e.g. "1.23.17"), by which CI counts them. When
// it is unset, or under -short, they skip with a message saying so.
//
// This package's own tests build the opkuma binary once (TestMain, go
// build); OPKUMA_REAL_KUMA_BIN=PATH runs a binary built elsewhere instead,
// e.g. from another commit.
//
// Start copies a target's data dir (the admin user and the push monitor
// setup.sh created) into a temporary dir and runs `node server/server.js`
// on it, on a free 127.0.0.1 port: every test gets a pristine server and
// the target is never written. Its heartbeats are read from the copy's
// kuma.db with the sqlite3 CLI.
//
// Every request to a push URL records a heartbeat: the harness waits for a
// server on /api/entry-page, never on the push route.
package realkuma
