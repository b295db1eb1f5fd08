// Command opkuma runs a scheduled job and pushes a heartbeat to an Uptime
// Kuma Push monitor when it succeeds.
package main

import "github.com/opkuma/opkuma/cmd"

func main() {
	cmd.Execute()
}
