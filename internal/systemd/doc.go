// Package systemd reads systemd timers and the services they start as
// systemd 252 reads them: unit files found along the unit search path,
// drop-ins merged, masks honoured, settings parsed with systemd's own
// syntax (systemd.syntax(7), systemd.time(7), systemd.service(5)).
//
// It finds the largest gap between a timer's elapses (for a heartbeat
// interval), audits a timer and its service for mistakes that keep a
// monitored job from running or leak its push token, and writes the
// drop-in that makes a service run its job under a wrapper.
//
// Nothing here talks to a running systemd: everything is read from files
// under a root directory, so tests use a temporary tree.
package systemd
