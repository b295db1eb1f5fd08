# usage: python3 slowhook.py PORT SECONDS LOGFILE
# opkuma's real-server test harness (internal/realkuma): a webhook receiver on 127.0.0.1:PORT
# that answers every POST after SECONDS, logging "TIME recv MSG" and "TIME done" lines to LOGFILE.
import http.server, sys, time, json, threading
delay = float(sys.argv[2]); log = open(sys.argv[3], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0); body = self.rfile.read(n)
        try: msg = json.loads(body).get("msg")
        except Exception: msg = body[:80]
        log.write(f"{time.time():.3f} recv {msg!r}\n")
        time.sleep(delay)
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
        log.write(f"{time.time():.3f} done\n")
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
