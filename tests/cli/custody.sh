#!/bin/sh
# tests/cli/custody.sh - the capture rule on the real server: a party
# records only what it does itself. It ships only what it holds (403 when
# the source is another party, 422 when custody says another party has the
# unit, or a consumer), receives only what was shipped to it (403 when the
# destination is another party, 422 when the unit was not shipped to it);
# units move with the case they are packed in; events of one capture see
# the ones before them; a refused capture stores nothing; and forward
# traces read the custody the events left.
set -u
Y=${YIMA:-build/yima}
. tests/tools/server.sh
. tests/tools/tap.sh

P=91350100MA2XYW011J  # producer, GCP 6901234
D=91110105MA0AB12366  # distributor
S=92310115MA1K00074K  # retailer
db=$T/c.db
"$Y" init --db "$db" >/dev/null || { bad "init"; exit 1; }
"$Y" party add --db "$db" --uscc $P --name 闽江电缆 --role producer --gcp 6901234 >/dev/null &&
    "$Y" party add --db "$db" --uscc $D --name 华信电工 --role seller >/dev/null &&
    "$Y" party add --db "$db" --uscc $S --name 浦东五金 --role seller >/dev/null ||
    { bad "parties"; exit 1; }
tok() { "$Y" token create --db "$db" --party "$1" --role "$2" | tail -n 1; }
TP=$(tok $P producer)
TD=$(tok $D seller)
TS=$(tok $S seller)
start_server "$db" || { bad "the server did not start: $(cat "$T/err")"; exit 1; }

post() { # post TOKEN JSON: POST /api/v1/events; prints "STATUS BODY"
    curl -s -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' --data-binary "$2" "$base/api/v1/events"
    printf ' '
    cat "$T/b"
}
size() { "$Y" ledger checkpoint --db "$db" | sed -n 2p; }
u() { printf 'https://id.gs1.org/01/06901234000016/21/%s' "$1"; }
C=https://id.gs1.org/00/069012340000000016
echo 0 > "$T/t"
# ev EPCS STEP [SRC] [DST] [ACTION] [DISP]: an ObjectEvent, one hour later
# than the one before (the clock is a file: ev runs in subshells)
tick() { t=$(($(cat "$T/t") + 1)); echo $t > "$T/t"; }
ev() {
    tick
    e="{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-05-01T$(printf %02d $t):00:00+08:00\",\"eventTimeZoneOffset\":\"+08:00\",\"epcList\":[$1],\"action\":\"${5:-OBSERVE}\",\"bizStep\":\"$2\""
    [ -n "${6:-}" ] && e="$e,\"disposition\":\"$6\""
    [ -n "${3:-}" ] && e="$e,\"sourceList\":[{\"type\":\"owning_party\",\"source\":\"urn:yima:uscc:$3\"}]"
    [ -n "${4:-}" ] && e="$e,\"destinationList\":[{\"type\":\"owning_party\",\"destination\":\"urn:yima:uscc:$4\"}]"
    printf '%s}' "$e"
}
q() { printf '"%s"' "$1"; }

out=$(post "$TP" "$(ev "$(q "$(u 1)"),$(q "$(u 2)"),$(q "$(u 3)")" commissioning "" "" ADD active)")
is "${out%% *}" 201 "the producer commissions three units"
before=$(size)
out=$(post "$TD" "$(ev "$(q "$(u 1)")" receiving "$P" "$D")")
is "${out%% *}" 422 "receiving a unit never shipped: 422"
has "$out" "$(u 1) is not held by you: custody says it is with $P" "and custody says who holds it"
out=$(post "$TD" "$(ev "$(q "$(u 1)")" shipping "$P" "$D")")
is "${out%% *}" 403 "recording another party's shipment: 403"
has "$out" "the source is $P: a party records only what it ships itself" "and says why"
out=$(post "$TD" "$(ev "$(q "$(u 3)")" retail_selling "" "" OBSERVE retail_sold)")
is "${out%% *}" 422 "selling a unit the producer still holds: 422"
is "$(size)" "$before" "refused events are not stored"

out=$(post "$TP" "$(ev "$(q "$(u 1)"),$(q "$(u 2)")" shipping "$P" "$D")")
is "${out%% *}" 201 "the producer ships two units to the distributor"
out=$(post "$TP" "$(ev "$(q "$(u 1)")" shipping "$P" "$S")")
is "${out%% *}" 422 "shipping again what is now the distributor's: 422"
has "$out" "custody says it is with $D" "the distributor has it"
out=$(post "$TS" "$(ev "$(q "$(u 1)")" receiving "$P" "$D")")
is "${out%% *}" 403 "receiving for another party: 403"
has "$out" "the destination is $D: a party records only what it receives itself" "and says why"
out=$(post "$TD" "$(ev "$(q "$(u 1)"),$(q "$(u 2)")" receiving "$P" "$D")")
is "${out%% *}" 201 "the distributor receives what was shipped to it"

# packing: the units go where the case goes
tick
pack="{\"type\":\"AggregationEvent\",\"eventTime\":\"2026-05-01T$(printf %02d $t):00:00+08:00\",\"eventTimeZoneOffset\":\"+08:00\",\"parentID\":\"$C\",\"childEPCs\":[$(q "$(u 1)"),$(q "$(u 2)")],\"action\":\"ADD\",\"bizStep\":\"packing\"}"
out=$(post "$TD" "$pack")
is "${out%% *}" 201 "the distributor packs them in a case"
out=$(post "$TD" "$(ev "$(q $C)" shipping "$D" "$S")")
is "${out%% *}" 201 "and ships the case to the retailer"
out=$(post "$TD" "$(ev "$(q "$(u 2)")" retail_selling "" "" OBSERVE retail_sold)")
is "${out%% *}" 422 "the distributor may not sell a unit that left in the case"

# one capture: each event sees the ones before it
doc() {
    printf '{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-05-02T00:00:00Z","epcisBody":{"eventList":[%s]}}' "$1"
}
capture() {
    curl -s -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/ld+json' --data-binary "$2" "$base/epcis/capture"
    printf ' '
    cat "$T/b"
}
before=$(size)
out=$(capture "$TS" "$(doc "$(ev "$(q $C)" receiving "$D" "$S"),$(ev "$(q "$(u 1)")" retail_selling "" "" OBSERVE retail_sold),$(ev "$(q "$(u 1)")" retail_selling "" "" OBSERVE retail_sold)")")
is "${out%% *}" 422 "a capture selling one unit twice: 422"
has "$out" '"event":3' "naming its third event"
has "$out" "$(u 1) was sold to a consumer" "which sells what a consumer has"
is "$(size)" "$before" "nothing of the refused capture is stored"
out=$(capture "$TS" "$(doc "$(ev "$(q $C)" receiving "$D" "$S"),$(ev "$(q "$(u 1)")" retail_selling "" "" OBSERVE retail_sold)")")
is "${out%% *}" 202 "receiving the case and selling a unit from it in one capture: 202"
is "$(size)" "$((before + 2))" "both stored"

out=$("$Y" trace --db "$db" "(01)06901234000016" --forward)
is "$out" "{\"scope\":\"https://id.gs1.org/01/06901234000016\",\"holders\":[{\"party\":\"$P\",\"units\":1},{\"party\":\"$S\",\"units\":1}],\"consumers\":1,\"unaccounted\":0}" \
    "the product's forward trace: the producer keeps one, the retailer one, a consumer one"
out=$("$Y" trace --db "$db" "(01)06901234000016" --forward --at 2099-01-01T00:00:00Z)
is "$out" "{\"scope\":\"https://id.gs1.org/01/06901234000016\",\"holders\":[{\"party\":\"$P\",\"units\":1},{\"party\":\"$S\",\"units\":1}],\"consumers\":1,\"unaccounted\":0}" \
    "the same from a replay of the events"
is "$(sqlite3 "$db" "SELECT value FROM meta WHERE key = 'custody_upto'")" "$(size)" \
    "the custody state covers every event"

# imports are not checked (the operator's own load), but move custody
cat > "$T/late.jsonld" <<EOF
$(doc "$(ev "$(q "$(u 3)")" shipping "$P" "$D")")
EOF
"$Y" import --db "$db" "$T/late.jsonld" >/dev/null
out=$(post "$TD" "$(ev "$(q "$(u 3)")" receiving "$P" "$D")")
is "${out%% *}" 201 "a shipment imported by the operator lets the distributor receive"

[ $fails -eq 0 ]
