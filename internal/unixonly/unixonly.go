// Package unixonly stops a build for Windows with a message that says why,
// before the compiler gets to the packages that need Unix: opkuma runs a
// job as cron does, with process groups, POSIX signals and flock(2), which
// Windows does not have. cmd imports it for that alone.
package unixonly
