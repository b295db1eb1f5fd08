// Command fakekuma serves the stand-in push route of internal/fakekuma on
// 127.0.0.1, for benchmarks and manual tries: it prints its base URL on the
// first line of stdout and serves until stdin closes or it is killed.
//
//	fakekuma [-version 1.23|2|next] TOKEN...
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/opkuma/opkuma/internal/fakekuma"
)

func main() {
	version := flag.String("version", string(fakekuma.V2), "Uptime Kuma version to behave as: 1.23, 2 or next")
	flag.Parse()
	srv := fakekuma.New(fakekuma.Version(*version))
	for _, token := range flag.Args() {
		srv.AddMonitor(token, true)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s\n", l.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	log.Fatal(http.Serve(l, srv))
}
