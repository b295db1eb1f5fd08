package pusher_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/opkuma/opkuma/pusher"
)

// A push to an Uptime Kuma that knows the token and to one that does not
// (here an httptest server answering as Uptime Kuma does).
func Example() {
	kuma := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if r.URL.Path != "/api/push/AbC123" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"ok":false,"msg":"Monitor not found or not active."}`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer kuma.Close()

	for _, token := range []string{"AbC123", "Wr0ng"} {
		e, err := pusher.ParseEndpoint(kuma.URL + "/api/push/" + token)
		if err != nil {
			fmt.Println(err)
			return
		}
		c := &pusher.Client{Endpoint: e}
		res, err := c.Push(context.Background(), pusher.Beat{Msg: "backup done", Ping: "1500"})
		var rejected *pusher.RejectedError
		switch {
		case errors.As(err, &rejected):
			fmt.Println("rejected:", rejected.Msg)
		case err != nil:
			fmt.Println("not delivered:", err)
		default:
			fmt.Println("accepted after", res.Attempts, "attempt")
		}
	}
	// Output:
	// accepted after 1 attempt
	// rejected: Monitor not found or not active.
}

// Redact keeps push tokens and URL passwords out of text printed or sent
// elsewhere, such as a job's output.
func ExampleRedact() {
	fmt.Println(pusher.Redact("curl -fsS https://admin:hunter2@kuma.example.com/api/push/AbC123?msg=OK"))
	// Output:
	// curl -fsS https://admin:****@kuma.example.com/api/push/****?msg=OK
}
