#!/bin/sh
# tests/cli/serve.sh - `yima serve` end to end: the real server on
# 127.0.0.1 (a free port the kernel picks), a fresh store, driven with curl
# and a few raw sockets: health, metrics format, keep-alive, pipelining,
# JSON errors for 404/405/400/413/414/431/408, JSON nesting, the ledger
# checkpoint, the JSON access log, and a graceful SIGTERM that lets a
# request in flight finish. Kills only the servers it started.
set -u
Y=${YIMA:-build/yima}
T=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
. tests/tools/tap.sh

# start NAME ARGS...: start a server, wait for its "listening" line, set
# $pid and $base
start() {
    name=$1; shift
    "$Y" serve --db "$db" --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
    pid=$!
    pids="$pids $pid"
    i=0
    until grep -q listening "$T/$name.out" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 $pid 2>/dev/null; then
            bad "$name: server did not start: $(cat "$T/$name.err")"
            exit 1
        fi
        sleep 0.05
    done
    addr=$(sed -n 's/.*"listening":"\([^"]*\)".*/\1/p' "$T/$name.out")
    base="http://$addr"
}

# status METHOD PATH [curl args]: print "CODE BODY"
req() {
    m=$1; p=$2; shift 2
    curl -s -X "$m" -o "$T/body" -w '%{http_code}' "$@" "$base$p"
    printf ' '
    cat "$T/body"
}

db=$T/y.db
"$Y" init --db "$db" >/dev/null || { bad "init"; exit 1; }
python3 - "$T" <<'PY'
import sys
open(sys.argv[1] + "/big", "w").write("a" * 2000000)
open(sys.argv[1] + "/deep.json", "w").write('{"a":' * 100 + '1' + '}' * 100)
open(sys.argv[1] + "/ok.json", "w").write('{"a":' * 10 + '1' + '}' * 10)
PY
start main --log "$T/access.log"
has "$(cat "$T/main.out")" '"workers":' "a JSON line says where it listens"

out=$(req GET /healthz -D "$T/head")
is "${out%% *}" 200 "healthz: 200"
has "$out" '"ledger_size":0' "healthz: ledger size of a fresh store"
has "$(cat "$T/head")" "Content-Type: application/json" "healthz: JSON content type"

out=$(curl -s -I "$base/healthz")
has "$out" "Content-Length: 32" "HEAD: the length of the GET body"

# keep-alive: two requests, one connection
out=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' "$base/healthz" "$base/healthz")
is "$out" "1 0 " "keep-alive: the second request reuses the connection"

out=$(req GET /no/such/thing)
is "${out%% *}" 404 "unknown path: 404"
has "$out" '{"error":"not found","detail":"no resource at /no/such/thing"}' "404 body is a JSON error naming the path"

out=$(req POST /healthz -D "$T/head" --data-binary x)
is "${out%% *}" 405 "wrong method: 405"
has "$(cat "$T/head")" "Allow: GET, HEAD" "405 names the allowed methods"

out=$(req GET '/a%zzb')
is "${out%% *}" 400 "bad percent-escape: 400"
has "$out" "at byte 3 of the request target" "and where it is"

out=$(req POST /no/upload -H 'Content-Type: text/plain' --data-binary @"$T/big")
is "${out%% *}" 413 "body over 1 MiB: 413"
has "$out" '"error":"content too large"' "413 error"
has "$out" "2000000 bytes" "413 says how large"
out=$(req POST /no/upload -H 'Transfer-Encoding: chunked' -H 'Content-Type: text/plain' --data-binary @"$T/big")
is "${out%% *}" 413 "chunked body over 1 MiB: 413"

out=$(req GET /healthz -H "X-Big: $(head -c 20000 "$T/big")")
is "${out%% *}" 431 "header section over 16 KiB: 431"
has "$out" '"error":"request header fields too large"' "431 error"

out=$(req GET "/$(head -c 9000 "$T/big")")
is "${out%% *}" 414 "request target over 8 KiB: 414"

out=$(req POST /no/upload -H 'Content-Type: application/ld+json' --data-binary @"$T/deep.json")
is "${out%% *}" 400 "JSON nested 100 deep: 400"
has "$out" '"error":"json too deep"' "nesting error"
has "$out" "deeper than 64 levels at byte 321 (line 1, column 321)" "nesting error names the place"
out=$(req POST /no/upload -H 'Content-Type: application/json' --data-binary @"$T/ok.json")
is "${out%% *}" 404 "JSON nested 10 deep passes the check"

# raw sockets: a malformed request, pipelining
python3 - "${addr%:*}" "${addr##*:}" > "$T/raw" <<'PY'
import socket, sys
def talk(data):
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
    s.sendall(data)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
            if data.count(b" HTTP/1.1\r\n") == out.count(b"HTTP/1.1 ") and out.endswith(b"}\n"):
                break
    except socket.timeout:
        pass
    s.close()
    return out.decode()
print("MALFORMED", talk(b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n").split("\r\n")[-1])
r = talk(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
print("PIPELINED", r.count("HTTP/1.1 200"), r.count("HTTP/1.1 404"))
r = talk(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
print("HEADGET", r.count("HTTP/1.1 200"), r.count('{"status"'))
PY
has "$(grep MALFORMED "$T/raw")" '"error":"bad request","detail":"malformed request: invalid character in header' "malformed header: 400 naming the fault"
has "$(grep PIPELINED "$T/raw")" "PIPELINED 1 1" "pipelined requests answered in order"
has "$(grep HEADGET "$T/raw")" "HEADGET 2 1" "HEAD sends no body (a GET after it on the connection reads right)"

# the checkpoint is the one the CLI gives
cp_http=$(curl -s "$base/ledger/checkpoint")
cp_cli=$("$Y" ledger checkpoint --db "$db")
[ -n "$cp_http" ] && [ "$cp_http" = "$cp_cli" ] && ok "GET /ledger/checkpoint = yima ledger checkpoint" || bad "checkpoint differs: '$cp_http' vs '$cp_cli'"
has "$cp_http" "— yima.local/ledger " "checkpoint is a signed note"

# metrics: Prometheus text format
curl -s "$base/metrics" > "$T/metrics"
has "$(cat "$T/metrics")" 'yima_http_requests_total{method="GET",route="/healthz",code="200"}' "metrics: requests by route and code"
has "$(cat "$T/metrics")" 'yima_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}' "metrics: latency histogram by route"
has "$(cat "$T/metrics")" 'yima_events_ingested_total 0' "metrics: events ingested"
has "$(cat "$T/metrics")" 'yima_ledger_size 0' "metrics: ledger size"
grep -q '^yima_store_bytes [1-9][0-9]*$' "$T/metrics" && ok "metrics: store size" || bad "metrics: store size"
badlines=$(grep -v '^# \(HELP\|TYPE\) yima_[a-z_]* ' "$T/metrics" | grep -cv '^yima_[a-z_]*\({[a-z_]*="[^"]*"\(,[a-z_]*="[^"]*"\)*}\)\? [0-9][0-9.e+-]*$')
is "$badlines" 0 "metrics: every line is a comment or a sample"
for m in yima_http_requests_total yima_http_request_duration_seconds yima_events_ingested_total yima_ledger_size yima_store_bytes; do
    grep -q "^# TYPE $m " "$T/metrics" || bad "metrics: no TYPE for $m"
done

# graceful shutdown: an idle connection is closed, a request in flight is
# answered, then the server exits 0
python3 - "${addr%:*}" "${addr##*:}" "$pid" > "$T/drain" <<'PY'
import os, signal, socket, sys, time
host, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
idle = socket.create_connection((host, port), timeout=5)
busy = socket.create_connection((host, port), timeout=5)
busy.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
time.sleep(0.2)
os.kill(pid, signal.SIGTERM)
time.sleep(0.2)
busy.sendall(b"\r\n")
out = b""
while True:
    b = busy.recv(65536)
    if not b:
        break
    out += b
print("INFLIGHT", out.split(b"\r\n")[0].decode())
print("IDLE", repr(idle.recv(10)))
PY
wait $pid
st=$?
has "$(grep INFLIGHT "$T/drain")" "HTTP/1.1 200 OK" "SIGTERM: the request in flight is answered, then closed"
has "$(grep IDLE "$T/drain")" "IDLE b''" "SIGTERM: idle keep-alive connections are closed"
is "$st" 0 "SIGTERM: exit status 0"

# the access log: one JSON object per request
python3 - "$T/access.log" > "$T/log" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
keys = {"time", "method", "path", "status", "bytes", "duration_us", "remote"}
bad = [l for l in lines if not keys <= set(json.loads(l))]
print("LINES", len(lines), "BAD", len(bad))
print("STATUSES", " ".join(sorted({str(json.loads(l)["status"]) for l in lines})))
PY
has "$(cat "$T/log")" "BAD 0" "access log: every line is JSON with all fields"
has "$(cat "$T/log")" "400 404 405 413 414 431" "access log: errors are logged too"

# the request timeout: 408 for a request that stops halfway
start slow --request-timeout 300
python3 - "${addr%:*}" "${addr##*:}" > "$T/slow" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
print(out.decode().replace("\r\n", " "))
PY
has "$(cat "$T/slow")" "HTTP/1.1 408 Request Timeout" "a request not finished in time: 408"
has "$(cat "$T/slow")" '"detail":"the whole request did not arrive within 300 ms"' "408 says why"
kill -INT $pid
wait $pid
is "$?" 0 "SIGINT: exit status 0"

"$Y" serve --db "$T/none.db" --listen 127.0.0.1:0 >/dev/null 2>"$T/err"
is "$?" 1 "a missing store: exit 1"
"$Y" serve --db "$db" --listen nonsense >/dev/null 2>"$T/err"
has "$(cat "$T/err")" "listen: 'nonsense' is not HOST:PORT" "a bad --listen is named"

[ $fails -eq 0 ]
