#!/usr/bin/env python3
# tests/tools/hook.py - a webhook receiver for the end-to-end tests, on
# 127.0.0.1 only.
#
#   hook.py LOG [--port N] [--tls CERT KEY] [--silent]
#
# Prints the port it listens on (N, or a free one) and serves until killed.
# Each POST is appended to LOG as one JSON line {"path", "notification",
# "signature", "body"} (the X-Yima-* headers; the body as text) and answered
# 204. --tls serves https with CERT and KEY (PEM). --silent accepts
# connections, appends {"connected": true} for each, and never answers.
import http.server
import json
import socket
import ssl
import sys
import time


def main():
    args = sys.argv[1:]
    log = args.pop(0)
    port, tls, silent = 0, None, False
    while args:
        a = args.pop(0)
        if a == "--port":
            port = int(args.pop(0))
        elif a == "--tls":
            tls = (args.pop(0), args.pop(0))
        elif a == "--silent":
            silent = True
        else:
            sys.exit("hook.py: unexpected " + a)

    def note(rec):
        with open(log, "a") as f:
            f.write(json.dumps(rec) + "\n")

    if silent:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(16)
        print(s.getsockname()[1], flush=True)
        held = []
        while True:
            c, _ = s.accept()
            held.append(c)
            note({"connected": True})

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            note({"path": self.path,
                  "notification": self.headers.get("X-Yima-Notification"),
                  "signature": self.headers.get("X-Yima-Signature"),
                  "body": body.decode()})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", port), Hook)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls[0], tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    while True:
        try:
            srv.serve_forever()
        except Exception:  # a client that gave up mid-handshake
            time.sleep(0.01)


main()
