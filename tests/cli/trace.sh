#!/bin/sh
# tests/cli/trace.sh - `yima trace` end to end on the demo data
# (data/demo): backward trace of a unit sold to a consumer, forward trace
# of its batch, --at, and the errors; then GET /api/v1/trace on the real
# server: the same JSON, and who may ask.
set -u
Y=${YIMA:-build/yima}
. tests/tools/server.sh
. tests/tools/tap.sh

db=$T/d.db
"$Y" init --db "$db" >/dev/null
"$Y" import --db "$db" data/demo/master.csv data/demo/supply-chain.jsonld >/dev/null
unit="(01)06901234000016(21)1002"
batch="(01)06901234000016(10)L20260301"

out=$("$Y" trace --db "$db" "$unit" --backward)
has "$out" '"code":"https://id.gs1.org/01/06901234000016/21/1002","custody":[{"party":"91350100MA2XYW011J","since":"2026-03-01T10:00:00+08:00"' "backward: starts with the producer"
has "$out" '{"party":"91110105MA0AB12366","since":"2026-03-03T14:00:00+08:00"' "backward: the distributor, named by GLN in the event"
has "$out" '{"party":"consumer","since":"2026-03-09T16:45:00+08:00"' "backward: ends with the consumer"
case "$out" in *'"step":"retail_selling"}],"containers":["https://id.gs1.org/00/069012340000000016"],"inputs":[]}') ok "backward: the case it rode in" ;; *) bad "backward tail: $out" ;; esac

out=$("$Y" trace --db "$db" "$batch" --forward)
[ "$out" = '{"scope":"https://id.gs1.org/01/06901234000016/10/L20260301","holders":[{"party":"91110105MA0AB12366","units":2},{"party":"91350100MA2XYW011J","quantity":3000,"uom":"MTR"}],"consumers":1,"unaccounted":0}' ] &&
    ok "forward: holders and consumers of the batch" || bad "forward: $out"
out=$("$Y" trace --db "$db" "urn:epc:class:lgtin:6901234.000001.L20260301" --forward --at 2026-03-02T00:00:00+08:00)
has "$out" '"holders":[{"party":"91350100MA2XYW011J","units":3},' "forward --at: the producer held all three"
out=$("$Y" events --db "$db" --code "$batch" | grep -c '"bizStep":"commissioning"')
[ "$out" = 2 ] && ok "events --code finds the batch's commissioning events" || bad "events --code: $out"

out=$("$Y" trace --db "$db" "(01)06901234000017(21)1002" --backward 2>&1)
st=$?
has "$out" "yima: code: AI (01): check digit is 7, expected 6" "an invalid code says why"
[ $st -eq 1 ] && ok "exit 1" || bad "exit $st"
out=$("$Y" trace --db "$db" "(01)06901234000016(21)9" --forward 2>&1)
has "$out" "no event names https://id.gs1.org/01/06901234000016/21/9" "an unknown code is an error"
"$Y" trace --db "$db" "$unit" >/dev/null 2>&1
[ $? -eq 2 ] && ok "a direction is required" || bad "no direction accepted"
out=$("$Y" trace --db "$db" "$unit" --forward --at tomorrow 2>&1)
has "$out" "at: 'tomorrow' is not an RFC 3339 date-time" "a bad --at says why"

# ---- GET /api/v1/trace ------------------------------------------------------
R=11350100MB01234578
"$Y" party add --db "$db" --uscc $R --name 市场监督管理局 --role regulator >/dev/null
tok() { "$Y" token create --db "$db" --party "$1" --role "$2" | tail -n 1; }
TR=$(tok $R regulator)
TP=$(tok 91350100MA2XYW011J producer)
TS=$(tok 91110105MA0AB12366 seller)
start_server "$db" || { bad "the server did not start: $(cat "$T/err")"; exit 1; }
get() { # get TOKEN QUERY: "STATUS BODY"
    if [ "$1" = - ]; then
        curl -s -o "$T/b" -w '%{http_code}' -G "$base/api/v1/trace" $2
    else
        curl -s -o "$T/b" -w '%{http_code}' -G -H "Authorization: Bearer $1" "$base/api/v1/trace" $2
    fi
    printf ' '
    cat "$T/b"
}
cli=$("$Y" trace --db "$db" "$unit" --backward)
out=$(get "$TR" "--data-urlencode code=$unit -d direction=backward")
[ "$out" = "200 $cli" ] && ok "HTTP: a regulator gets what the CLI prints" || bad "HTTP backward: $out"
cli=$("$Y" trace --db "$db" "$batch" --forward)
out=$(get "$TP" "--data-urlencode code=$batch -d direction=forward")
[ "$out" = "200 $cli" ] && ok "HTTP: the producer traces its own batch forward" || bad "HTTP forward: $out"
out=$(get "$TS" "--data-urlencode code=$unit -d direction=backward")
has "$out" "403 " "HTTP: a seller may not trace"
out=$(get - "--data-urlencode code=$unit -d direction=backward")
has "$out" "401 " "HTTP: the public may not trace"
"$Y" party add --db "$db" --uscc 91330100MA2AB123X7 --name 杭州某电器有限公司 --role producer --gcp 6912345 >/dev/null
TP2=$(tok 91330100MA2AB123X7 producer)
out=$(get "$TP2" "--data-urlencode code=$unit -d direction=backward")
has "$out" "403 " "HTTP: another producer may not trace this unit"
out=$(get "$TR" "--data-urlencode code=$unit -d direction=sideways")
has "$out" "400 " "HTTP: a bad direction is 400"
has "$out" "sideways" "and names it"
out=$(get "$TR" "--data-urlencode code=(01)06901234000016(21)9 -d direction=backward")
has "$out" "404 " "HTTP: a code no event names is 404"

echo "1..$n"
[ $fails -eq 0 ]
