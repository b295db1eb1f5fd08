//go:build windows

package unixonly

// The compiler prints this string in its error.
var _ int = "opkuma is for Unix (linux, darwin, freebsd, openbsd, netbsd): Windows has no process groups, POSIX signals or flock(2); run it under WSL"
