package runner

import (
	"os"
	"strconv"
	"strings"
)

// groupRunning reports whether a process of group pgid runs, that is,
// is not a zombie. When /proc cannot tell, it says yes.
func groupRunning(pgid int) bool {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return true
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold ") ".
		i := strings.LastIndex(string(b), ") ")
		if i < 0 {
			return true
		}
		f := strings.Fields(string(b[i+2:]))
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) && f[0] != "Z" && f[0] != "X" {
			return true
		}
	}
	return false
}
