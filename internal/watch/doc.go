// Package watch decides, for a Push monitor whose description carries its
// job's cron schedule, whether a run was missed: the logic of `opkuma
// monitor watch`, which runs every minute and pushes status=down when a
// run's heartbeat is late, instead of waiting for Uptime Kuma's interval,
// which must cover the largest gap between runs.
//
// The schedule lives on the monitor as one line of its description
// (Format, Parse, Set):
//
//	opkuma: schedule="0 3 * * 1-5" tz=Europe/Berlin runtime=5m margin=10m
//
// A run is due at its deadline: the scheduled time, as cron runs it in tz
// (daylight-saving changes included), plus runtime plus margin. Decide
// looks at the latest due run and pushes nothing when the monitor is paused
// or in maintenance, or when a beat since the run's start (less Skew)
// covers it; otherwise it asks for a down push naming the run:
//
//	missed the 03:00 run (0 3 * * 1-5, Europe/Berlin): no heartbeat by 03:15
//
// A beat covers the run when it is:
//   - the job's own push, up or down (--down-on-failure), whatever status
//     Uptime Kuma gave it (pending under Retries, maintenance in a window);
//   - a previous pass's down push: so a run is pushed once, however many
//     passes see it. The exception is a push Uptime Kuma recorded as
//     pending (2.0-2.5 put an explicit down through Retries): it is
//     pushed again, a pass at a time, until Uptime Kuma records it down;
//   - a beat Uptime Kuma recorded for a maintenance window since the run.
//
// Uptime Kuma's own "No heartbeat in the time window" beats never cover a
// run. They say only that the interval passed since the last up beat, not
// that the run happened; when pending (Retries) nobody was alerted yet,
// and when down the monitor already is DOWN, so the push changes no status
// and sends no notification: it only adds the beat that names the run.
//
// A late success after the down push is an up beat: the monitor turns UP
// as with any push, and the run counts as covered.
//
// Decide keeps no state: what it has pushed it reads back from the beats.
// One watcher therefore pushes a missed run once (or until it is no longer
// pending), provided its pushes reach Uptime Kuma before its next pass
// reads the beats; a push that failed is tried again at the next pass. Two
// watchers of one monitor can each see no beat and both push: the monitor
// goes DOWN once, notifies once (the second beat is down after down), but
// holds two beats for the run. Exactly once across watchers needs state
// on the server, which a Push monitor does not have.
package watch
