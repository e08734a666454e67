#!/bin/sh
# tests/cli/trace.sh - `yima trace` end to end on the demo data
# (data/demo): backward trace of a unit sold to a consumer, forward trace
# of its batch, --at, and the errors.
set -u
Y=${YIMA:-build/yima}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
has() { case "$1" in *"$2"*) ok "$3" ;; *) bad "$3: '$2' not in: $1" ;; esac; }

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

[ $fails -eq 0 ]
