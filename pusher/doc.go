// Package pusher is a client for Uptime Kuma's Push monitor route
// (GET <base>/api/push/<token>?status=&msg=&ping=), written so that each
// beat is recorded once and the token goes nowhere but the push request.
//
// ParseEndpoint validates the push URL a monitor's page shows; a Client
// sends a Beat to it:
//
//	e, err := pusher.ParseEndpoint("https://kuma.example.com/api/push/AbC123")
//	...
//	c := &pusher.Client{Endpoint: e}
//	res, err := c.Push(ctx, pusher.Beat{Msg: "backup done"})
//
// # Delivery
//
// Push retries what the server did not record and never re-sends what it
// may have recorded:
//
//   - Retried, with jittered exponential backoff (DefaultBackoff doubling up
//     to 8 s, each wait x0.5-1.5, or the server's Retry-After): no
//     connection (refused, DNS, no connection within ConnectTimeout), a
//     connection reset before the request was written, and fault answers:
//     an {"ok":false} answer whose msg is not a rejection (Knex pool
//     timeouts, SQLITE_BUSY), 408, 429, 5xx other than gateway timeouts,
//     and a 404 that is not Uptime Kuma's JSON (an upgrading Uptime Kuma
//     2.x answers "Cannot GET /api/push/..." for about a minute).
//   - Never re-sent: a request written to the connection that got no whole
//     answer (none, slow, reset, cut in its status line, headers or body,
//     garbage, or cut by MaxTime), and a 504 or 524 gateway timeout: Uptime
//     Kuma 2.x sends its alert notifications before it answers, so such a
//     beat may have been recorded. The error says so (UnreachableError.Sent).
//   - Waited out: Uptime Kuma 2.0-2.5.x's stuck statistics (uptime-kuma#5357,
//     *StuckStatsError): a stuck minute is waited for, by the server's Date,
//     even up to a minute past MaxTime, then the beat is sent once more at a
//     random point of the next minute (up to 50 s in, rarely early: the
//     pushes a stuck minute held must not race again at its start); a stuck
//     hour or day fails at once, saying until when.
//   - Not retried: rejections (*RejectedError): "Monitor not found or not
//     active." (unknown token, paused or deleted monitor), "Invalid ping
//     value", a 400, and answers that show the URL is not a push route.
//
// All of it, waits included, takes at most MaxTime (DefaultMaxTime, 60 s),
// or a minute more to wait out a stuck minute.
//
// # Secrets
//
// The token is the push monitor's only credential. Errors never hold it:
// their texts pass through Endpoint.Redact. Redirects are followed only to
// the same host (or its https), without a Referer header. Redact removes
// tokens and URL passwords from any other text.
package pusher
