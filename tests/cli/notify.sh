#!/bin/sh
# tests/cli/notify.sh - recall notices delivered by the server's timer
# (lib/risk/notify.c, src/server/server.c), on 127.0.0.1 only: a holder's
# endpoint is down when the recall is ordered and comes up later, and the
# timer delivers the notice with no further request; the signature header
# verifies under the subscription's secret; https works with the test CA
# (--notify-cafile) and fails with a clear reason without it; a server
# stops at once even while a receiver keeps it waiting; two servers on one
# store send each notice once.
set -u
Y=${YIMA:-build/yima}
. tests/tools/server.sh
. tests/tools/tap.sh

S=91110105MA0AB12366 # the seller: holds 2 units of the batch
P=91350100MA2XYW011J # the producer: holds cable by quantity
R=11350100MB01234578
rbody='{"scope":"(01)06901234000016(10)L20260301","action":"recall","reason":"导体电阻不合格"}'

# mkstore DB: the demo data with a regulator; sets TR, TP, TS (tokens)
mkstore() {
    "$Y" init --db "$1" >/dev/null
    "$Y" import --db "$1" data/demo/master.csv data/demo/supply-chain.jsonld >/dev/null
    "$Y" party add --db "$1" --uscc $R --name 市场监督管理局 --role regulator >/dev/null
    TR=$("$Y" token create --db "$1" --party $R --role regulator | tail -n 1)
    TP=$("$Y" token create --db "$1" --party $P --role producer | tail -n 1)
    TS=$("$Y" token create --db "$1" --party $S --role seller | tail -n 1)
}
# serve NAME DB [ARGS...]: a server whose files are under $T/NAME; sets
# pid and base, and NAME_pid / NAME_base
serve() {
    name=$1
    shift
    T0=$T
    T=$T/srv-$name
    mkdir -p "$T"
    start_server "$@" || { T=$T0; bad "server $name did not start: $(cat "$T0/srv-$name/err")"; exit 1; }
    T=$T0
    pids="$pids $pid"
    eval "${name}_pid=$pid ${name}_base=$base"
}
# call BASE METHOD PATH TOKEN [BODY]: "STATUS BODY"
call() {
    curl -s -o "$T/b" -w '%{http_code}' -X "$2" -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $4" ${5:+--data-binary "$5"} "$1$3"
    printf ' '
    cat "$T/b"
}
# hook LOG [ARGS...]: a receiver (tests/tools/hook.py); sets hport, hpid
hook() {
    rm -f "$T/hook.port"
    python3 tests/tools/hook.py "$@" >"$T/hook.port" 2>>"$T/hook.err" &
    hpid=$!
    pids="$pids $hpid"
    i=0
    until [ -s "$T/hook.port" ] || [ $i -gt 200 ]; do i=$((i + 1)); sleep 0.05; done
    hport=$(cat "$T/hook.port")
}
# lines FILE: how many lines it has (0 when missing)
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
# wait_lines FILE N SECONDS: until FILE has N lines; false when it does not
wait_lines() {
    i=0
    until [ "$(lines "$1")" -ge "$2" ]; do
        i=$((i + 1))
        [ $i -gt $(($3 * 10)) ] && return 1
        sleep 0.1
    done
}
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret_of() { printf '%s' "$1" | sed -n 's/.*"secret":"\([0-9a-f]*\)".*/\1/p'; }
# verify LOG SECRET [ID]: every line of LOG (of notification ID) carries
# the HMAC-SHA256 of its body under SECRET; prints how many, or "bad ..."
verify() {
    python3 - "$@" <<'PY'
import hashlib, hmac, json, sys
log, secret = sys.argv[1], sys.argv[2].encode()
only = sys.argv[3] if len(sys.argv) > 3 else None
good = 0
for line in open(log):
    r = json.loads(line)
    if only and r["notification"] != only:
        continue
    want = "sha256=" + hmac.new(secret, r["body"].encode(), hashlib.sha256).hexdigest()
    if r["signature"] != want:
        print("bad", r["signature"], want)
        sys.exit(0)
    good += 1
print(good)
PY
}

# a self-signed certificate for 127.0.0.1: its own CA
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" 2>"$T/openssl.err" ||
    { bad "openssl req: $(cat "$T/openssl.err")"; exit 1; }
hook "$T/tls.log" --tls "$T/cert.pem" "$T/key.pem"
tport=$hport

# ---- options -------------------------------------------------------------------
out=$("$Y" serve --help)
has "$out" "--notify-interval SECONDS" "help: names --notify-interval"
has "$out" "--notify-cafile FILE" "help: names --notify-cafile"
out=$("$Y" serve --db "$T/none.db" --notify-interval 0 2>&1)
has "$out" "--notify-interval needs a number from 1" "options: a zero interval is refused"
db=$T/a.db
mkstore "$db"
echo "not a certificate" >"$T/junk.pem"
out=$("$Y" serve --db "$db" --notify-cafile "$T/junk.pem" 2>&1)
has "$out" "could not be loaded" "options: a CA file without certificates is refused"

# ---- the timer delivers once the endpoint comes up -----------------------------
serve a "$db" --notify-interval 1 --notify-backoff 1 --notify-cafile "$T/cert.pem"
down=$(freeport)
out=$(call "$a_base" POST /api/v1/subscriptions "$TS" "{\"url\":\"http://127.0.0.1:$down/hook\"}")
has "$out" '201 {"id":' "subscription: the seller's endpoint (down for now)"
SS=$(secret_of "$out")
[ ${#SS} = 64 ] && ok "subscription: answered with a secret of 64 hex digits" || bad "secret: '$SS' in $out"
out=$(call "$a_base" POST /api/v1/subscriptions "$TP" "{\"url\":\"https://127.0.0.1:$tport/tls\"}")
has "$out" '201 {"id":' "subscription: the producer's https endpoint"
SP=$(secret_of "$out")
for u in 'http://' 'http://127.0.0.1:0/x' 'http://user:pw@127.0.0.1/x' 'https://[::1/x' 'http://127.0.0.1/a b'; do
    out=$(call "$a_base" POST /api/v1/subscriptions "$TS" "{\"url\":\"$u\"}")
    has "$out" "400 {\"error\":\"bad subscription\",\"detail\":\"url: " "subscription: '$u' is refused"
done

out=$(call "$a_base" POST /api/v1/recalls "$TR" "$rbody")
has "$out" '201 {"id":' "recall: ordered while the seller's endpoint is down"
rid=$(printf '%s' "$out" | sed -n 's/^201 {"id":\([0-9]*\),.*/\1/p')
has "$(cat "$T/tls.log" 2>/dev/null)" "\"path\": \"/tls\"" "https: delivered with the test CA"
hook "$T/plain.log" --port "$down"
if wait_lines "$T/plain.log" 1 15; then
    ok "timer: the notice arrives once the endpoint is up, with no request"
else
    bad "timer: nothing arrived in 15 s: $(cat "$T/srv-a/err")"
fi
has "$(cat "$T/plain.log")" "\\\"recall\\\":$rid," "timer: the notice is the recall's"
[ "$(verify "$T/plain.log" "$SS")" = 1 ] && ok "signature: verifies under the seller's secret" ||
    bad "signature: $(verify "$T/plain.log" "$SS")"
[ "$(verify "$T/tls.log" "$SP")" = 1 ] && ok "signature: the https one under the producer's" ||
    bad "signature (https): $(verify "$T/tls.log" "$SP")"
[ "$(verify "$T/plain.log" "$SP")" = 1 ] && bad "signature: verifies under another secret" ||
    ok "signature: another secret does not verify it"
has "$(cat "$T/plain.log")" "\"notification\": \"" "header: X-Yima-Notification"
out=$(call "$a_base" GET /api/v1/recalls/$rid "$TR")
has "$out" "\"party\":\"$S\",\"url\":\"http://127.0.0.1:$down/hook\",\"status\":\"delivered\"" "progress: the seller's notice delivered"
has "$out" "\"outstanding\":2,\"notice\":{\"status\":\"delivered\",\"attempts\":" "progress: per holder, delivered"
has "$out" "\"delivered_at\":\"20" "progress: with the time of delivery"
has "$out" "\"last_error\":\"connect: Connection refused\"}" "progress: and why the first attempt failed"
sleep 1.5
[ "$(lines "$T/plain.log")" = 1 ] && [ "$(lines "$T/tls.log")" = 1 ] &&
    ok "timer: a delivered notice is not sent again" || bad "deliveries: $(cat "$T/plain.log" "$T/tls.log")"
stop $a_pid

# ---- without the CA; a server stops at once while a receiver is silent ---------
db=$T/b.db
mkstore "$db"
hook "$T/silent.log" --silent
silent=$hport
silent_pid=$hpid
serve b "$db" --notify-interval 1 --notify-backoff 1
call "$b_base" POST /api/v1/subscriptions "$TP" "{\"url\":\"https://127.0.0.1:$tport/tls\"}" >/dev/null
call "$b_base" POST /api/v1/subscriptions "$TS" "{\"url\":\"http://127.0.0.1:$silent/x\"}" >/dev/null
out=$(call "$b_base" POST /api/v1/recalls "$TR" "$rbody")
has "$out" '201 {"id":' "recall: ordered on a server without the test CA"
rid=$(printf '%s' "$out" | sed -n 's/^201 {"id":\([0-9]*\),.*/\1/p')
# the attempt while ordering and the timer's retry both wait on the receiver
if wait_lines "$T/silent.log" 2 10; then
    ok "timer: retrying against a receiver that never answers"
else
    bad "silent receiver: $(lines "$T/silent.log") connections"
fi
t0=$(date +%s%N)
kill -TERM $b_pid
wait $b_pid
st=$?
forget $b_pid
ms=$((($(date +%s%N) - t0) / 1000000))
[ $st = 0 ] && ok "shutdown: exit 0 with a delivery in flight" || bad "shutdown: exit $st"
[ $ms -lt 1500 ] && ok "shutdown: within 1.5 s (${ms} ms)" || bad "shutdown took ${ms} ms"
stop $silent_pid
out=$(sqlite3 "$db" "SELECT json FROM risk_records WHERE kind = 'attempt'")
has "$out" '"error":"timed out after 2000 ms waiting for the answer"' "attempt: a silent receiver times out"
serve b2 "$db" --notify-interval 1 --notify-backoff 1
out=$(call "$b2_base" GET /api/v1/recalls/$rid "$TR")
has "$out" "\"party\":\"$P\",\"url\":\"https://127.0.0.1:$tport/tls\",\"status\":\"pending\"" "https: not delivered without the CA"
has "$out" '"last_error":"TLS: certificate not accepted: self-signed certificate"' "https: and says why"
[ "$(lines "$T/tls.log")" = 1 ] && ok "https: nothing reached the receiver" || bad "tls.log: $(cat "$T/tls.log")"
stop $b2_pid

# ---- two servers on one store send each notice once ----------------------------
db=$T/c.db
mkstore "$db"
serve c "$db" --notify-interval 1 --notify-backoff 1 --notify-cafile "$T/cert.pem"
serve d "$db" --notify-interval 1 --notify-backoff 1 --notify-cafile "$T/cert.pem"
down=$(freeport)
for path in a b c d e f; do
    call "$c_base" POST /api/v1/subscriptions "$TS" "{\"url\":\"http://127.0.0.1:$down/$path\"}" >/dev/null
done
call "$d_base" POST /api/v1/subscriptions "$TP" "{\"url\":\"https://127.0.0.1:$tport/tls\"}" >/dev/null
out=$(call "$c_base" POST /api/v1/recalls "$TR" "$rbody")
has "$out" '201 {"id":' "two servers: a recall with 7 notices, 6 to an endpoint down"
rid=$(printf '%s' "$out" | sed -n 's/^201 {"id":\([0-9]*\),.*/\1/p')
hook "$T/multi.log" --port "$down"
if wait_lines "$T/multi.log" 6 15; then
    ok "two servers: the 6 arrive once the endpoint is up"
else
    bad "two servers: $(lines "$T/multi.log") of 6 arrived"
fi
sleep 3 # both timers look again, several times
out=$(python3 -c '
import collections, json, sys
c = collections.Counter(json.loads(l)["notification"] for l in open(sys.argv[1]))
print(len(c), max(c.values()))' "$T/multi.log")
[ "$out" = "6 1" ] && ok "two servers: each notice sent once" || bad "two servers: (notices, most copies) = $out"
[ "$(lines "$T/tls.log")" = 2 ] && ok "two servers: the https one once" || bad "tls.log: $(cat "$T/tls.log")"
out=$(call "$d_base" GET /api/v1/recalls/$rid "$TR")
has "$out" "\"outstanding\":2,\"notice\":{\"status\":\"delivered\"" "two servers: the other server shows them delivered"
claims=$(sqlite3 "$db" "SELECT count(*) FROM risk_records WHERE kind = 'claim'")
attempts=$(sqlite3 "$db" "SELECT count(*) FROM risk_records WHERE kind = 'attempt'")
[ "$claims" = "$attempts" ] && ok "two servers: one claim per attempt ($attempts)" || bad "claims $claims, attempts $attempts"

echo "1..$n"
[ $fails -eq 0 ]
