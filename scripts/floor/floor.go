//go:build ignore

// Command floor is the least a cron wrapper can do: run the job, then send
// one GET when it exited 0. scripts/bench-overhead.sh times opkuma against
// it; what opkuma costs beyond it is the price of its promises.
//
//	go build -o floor scripts/floor/floor.go
//	floor URL COMMAND [ARGS...]
//
// With FLOOR_SIGNALS=1 it also catches the signals opkuma forwards (and
// SIGPIPE), as the least a wrapper that forwards signals must do; it does
// not forward them.
package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: floor URL COMMAND [ARGS...]")
		os.Exit(2)
	}
	if os.Getenv("FLOOR_SIGNALS") == "1" {
		signal.Notify(make(chan os.Signal, 8), syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP,
			syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGPIPE)
	}
	url := os.Args[1]
	c := exec.Command(os.Args[2], os.Args[3:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			os.Exit(128 + int(ws.Signal()))
		}
		os.Exit(ee.ExitCode())
	case err != nil:
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(127)
	}
	ping := time.Since(start).Milliseconds()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(fmt.Sprintf("%s?status=up&msg=OK&ping=%d", url, ping))
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
