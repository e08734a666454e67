#!/bin/sh
# tests/cli/epcis_api.sh - the EPCIS 2.0 REST binding end to end: the real
# server on 127.0.0.1 (port 0) with a fresh store, parties and tokens made
# with the CLI, driven with curl. Every official example is captured and
# queried back; each query parameter family, paging, the roles (401, 403,
# reading only one's own events), the producer's commissioning rule, bad
# bodies (nothing stored), rollback vs proceed, single-event capture, the
# version headers. Kills only the server it started.
set -u
Y=${YIMA:-build/yima}
. tests/tools/server.sh
export Y
EX=tests/data/epcis/examples
. tests/tools/tap.sh

# req METHOD PATH TOKEN [curl args]: print "CODE BODY"; headers in $T/head
req() {
    m=$1; p=$2; tok=$3; shift 3
    if [ -n "$tok" ]; then set -- -H "Authorization: Bearer $tok" "$@"; fi
    curl -s -X "$m" -D "$T/head" -o "$T/body" -w '%{http_code}' "$@" "$base$p"
    printf ' '
    cat "$T/body"
}
# capture TOKEN FILE [curl args]: POST /epcis/capture as JSON-LD
capture() {
    tok=$1; f=$2; shift 2
    req POST /epcis/capture "$tok" -H 'Content-Type: application/ld+json' \
        --data-binary @"$f" "$@"
}
header() { sed -n "s/^$1: \(.*\)\r$/\1/Ip" "$T/head" | head -n 1; }
ledger() { curl -s "$base/healthz" | sed -n 's/.*"ledger_size":\([0-9]*\).*/\1/p'; }
# count TOKEN QUERY: events on the first page of GET /epcis/events?QUERY
count() {
    curl -s -H "Authorization: Bearer $1" "$base/epcis/events?perPage=10000&$2" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin)["epcisBody"]["queryResults"]["resultsBody"]["eventList"]))' 2>/dev/null
}
# py EXPR: count events of $T/all.json (every stored event) where EXPR holds
py() {
    python3 - "$T/all.json" "$1" <<'PY'
import json, sys
from datetime import datetime
ev = json.load(open(sys.argv[1]))
def t(s): return datetime.fromisoformat(s.replace("Z", "+00:00"))
def ids(e, *keys):
    out = []
    for k in keys:
        v = e.get(k)
        out += v if isinstance(v, list) else [v] if v else []
    return out
def classes(e, *keys):
    return [q["epcClass"] for k in keys for q in e.get(k, [])]
import subprocess, os
cache_file = sys.argv[1] + ".canon"
cache = json.load(open(cache_file)) if os.path.exists(cache_file) else {}
def canon(x):
    if x not in cache:
        r = subprocess.run([os.environ["Y"], "code", "parse", x], capture_output=True, text=True)
        try:
            cache[x] = json.loads(r.stdout).get("canonical") or x
        except ValueError:
            cache[x] = x
    return cache[x]
def has(e, v, *keys): return canon(v) in {canon(x) for x in ids(e, *keys)}
def hascls(e, v, *keys): return canon(v) in {canon(x) for x in classes(e, *keys)}
def typed(e, lst, field, ty, v):
    return any(i.get("type", "").split(":")[-1].split("-")[-1] == ty and canon(i[field]) == canon(v) for i in e.get(lst, []))
print(sum(1 for e in ev if eval(sys.argv[2])))
json.dump(cache, open(cache_file, "w"))
PY
}

db=$T/y.db
"$Y" init --db "$db" >/dev/null || { bad "init"; exit 1; }
# --gcp for every GS1 company prefix the official examples use (from EPC
# URNs; seven digits of Digital Link keys)
example_gcps() {
    python3 - "$EX" <<'PY'
import glob, re, sys
pre = set()
for f in glob.glob(sys.argv[1] + "/**/*.jsonld", recursive=True):
    t = open(f).read()
    pre.update(re.findall(r"urn:epc:(?:id|class|idpat):[a-z]+:(\d+)\.", t))
    pre.update(m[1:8] for m in re.findall(r"/(?:01|00|8003|8004)/(\d{14,18})", t))
print(" ".join("--gcp " + p for p in sorted(pre)))
PY
}
P=91350100MA2XYW011J  # producer, GS1 company prefix 6901234
S=91350100M000100Y43  # seller; also a producer of the official examples' goods
S2=91230184MA1BUFLT44 # another seller
R=11100000000013127D  # regulator
A=91110105MA0AB12366  # auditor
"$Y" party add --db "$db" --uscc $P --name 闽江电缆 --role producer --gcp 6901234 >/dev/null &&
    "$Y" party add --db "$db" --uscc $S --name 福州商店 --role seller,producer \
        $(example_gcps) >/dev/null &&
    "$Y" party add --db "$db" --uscc $S2 --name 哈尔滨商店 --role seller >/dev/null &&
    "$Y" party add --db "$db" --uscc $R --name 市场监管 --role regulator >/dev/null &&
    "$Y" party add --db "$db" --uscc $A --name 审计 --role auditor >/dev/null &&
    "$Y" product add --db "$db" --producer $P --gtin 06901234000016 --name 电线 \
        --category wire-cable >/dev/null || { bad "parties"; exit 1; }
tok() { "$Y" token create --db "$db" --party "$1" --role "$2" | tail -n 1; }
TP=$(tok $P producer)
TS=$(tok $S seller)
TSP=$(tok $S producer) # commissions the examples' goods: their prefixes are S's
TS2=$(tok $S2 seller)
TR=$(tok $R regulator)
TA=$(tok $A auditor)

start_server "$db" || { bad "the server did not start: $(cat "$T/err")"; exit 1; }

# ---- who may ---------------------------------------------------------------
out=$(req GET /epcis/events "")
is "${out%% *}" 401 "no token: 401"
has "$out" '"error":"token required"' "401 says why"
out=$(capture "" "$EX/Example_9.6.1-ObjectEvent.jsonld")
is "${out%% *}" 401 "capture without a token: 401"
out=$(capture "$TA" "$EX/Example_9.6.1-ObjectEvent.jsonld")
is "${out%% *}" 403 "an auditor may not capture: 403"
has "$out" "a auditor token may not capture events" "403 says why"
out=$(capture "$TR" "$EX/Example_9.6.1-ObjectEvent.jsonld")
is "${out%% *}" 403 "a regulator may not capture: 403"
out=$(req GET /epcis/events "ymt_000000000000_00000000000000000000000000000000")
is "${out%% *}" 401 "an unknown token: 401"
is "$(ledger)" 0 "nothing stored by refused captures"

# ---- every official example, captured by a producer of their goods ---------
# (party S, with the examples' GS1 company prefixes; its seller token reads)
find "$EX" -name '*.jsonld' | sort > "$T/examples"
# each example's hash IDs, from its JSON with repeated keys resolved (the
# last wins, as with Yima-Duplicate-Keys: last)
mkdir "$T/norm"
python3 - "$T/examples" "$T/norm" <<'PY'
import json, sys
for i, f in enumerate(open(sys.argv[1]).read().split()):
    json.dump(json.load(open(f)), open("%s/%d.json" % (sys.argv[2], i), "w"))
PY
i=0
while read -r f; do
    "$Y" epcis hash "$T/norm/$i.json" > "$T/norm/$i.hashes"
    i=$((i + 1))
done < "$T/examples"
total=0
accepted=0
i=-1
while read -r f; do
    i=$((i + 1))
    want=$(wc -l < "$T/norm/$i.hashes")
    total=$((total + want))
    out=$(capture "$TSP" "$f")
    case "$out" in
    *"duplicate object key"*) # one official example repeats eventID
        is "${out%% *}" 400 "a repeated key is refused by default ($f)"
        out=$(capture "$TSP" "$f" -H 'Yima-Duplicate-Keys: last') ;;
    esac
    loc=$(header Location)
    if [ "${out%% *}" != 202 ]; then
        bad "capture $f: $out"
        continue
    fi
    job=$(req GET "$loc" "$TS")
    new=$(echo "$job" | sed -n 's/.*"accepted":\([0-9]*\).*/\1/p')
    dup=$(echo "$job" | sed -n 's/.*"duplicates":\([0-9]*\).*/\1/p')
    case "$job" in
    *'"success":true'*) [ $((new + dup)) -eq "$want" ] && accepted=$((accepted + new)) ||
        bad "capture job of $f: $new + $dup events, wanted $want: $job" ;;
    *) bad "capture job of $f failed: $job" ;;
    esac
done < "$T/examples"
ok "every example captured: $(wc -l < "$T/examples") documents, $total events, $accepted new"
is "$(ledger)" "$accepted" "the ledger holds every new event"

# every event, page by page (as the regulator), following the Link headers
rm -f "$T"/page.*
next="/epcis/events?perPage=7"
pages=0
while [ -n "$next" ] && [ $pages -lt 100 ]; do
    pages=$((pages + 1))
    curl -s -D "$T/head" -o "$T/page.$pages" -H "Authorization: Bearer $TR" "$base$next"
    next=$(sed -n 's/^Link: <\([^>]*\)>; rel="next"\r$/\1/p' "$T/head")
done
python3 - "$T" $pages > "$T/paged" <<'PY'
import json, sys
ev = []
for i in range(1, int(sys.argv[2]) + 1):
    d = json.load(open("%s/page.%d" % (sys.argv[1], i)))
    assert d["type"] == "EPCISQueryDocument"
    ev += d["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
json.dump(ev, open(sys.argv[1] + "/all.json", "w"))
print(len(ev), len({json.dumps(e, sort_keys=True) for e in ev}), all("recordTime" in e for e in ev))
PY
is "$(cat "$T/paged")" "$accepted $accepted True" "paging by 7 gives every event once, each with its recordTime ($pages pages)"
"$Y" epcis hash "$T"/page.* | sort -u > "$T/stored.hashes"
missing=$(cat "$T"/norm/*.hashes | sort -u | comm -23 - "$T/stored.hashes" | wc -l)
is "$missing" 0 "every example's events are queried back (same hash IDs)"
is "$(count "$TA" "")" "$accepted" "an auditor reads every event too"

# ---- the query parameters --------------------------------------------------
q() { # q QUERY PYTHON-PREDICATE WHAT
    a=$(count "$TR" "$1")
    b=$(py "$2")
    [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" -gt 0 ] && ok "$3 ($a events)" ||
        bad "$3: server $a, expected $b (GET /epcis/events?$1)"
}
q "eventType=AggregationEvent" 'e["type"] == "AggregationEvent"' "eventType"
q "eventType=ObjectEvent,TransformationEvent" 'e["type"] in ("ObjectEvent", "TransformationEvent")' "eventType, two values"
q "eventType=ObjectEvent&eventType=TransformationEvent" 'e["type"] in ("ObjectEvent", "TransformationEvent")' "eventType, repeated"
q "GE_eventTime=2005-04-04T00:00:00Z" 't(e["eventTime"]) >= t("2005-04-04T00:00:00Z")' "GE_eventTime"
q "LT_eventTime=2019-10-07T22:15:00.000%2B08:00" 't(e["eventTime"]) < t("2019-10-07T22:15:00.000+08:00")' "LT_eventTime with an offset"
q "LT_eventTime=2019-10-07T22:15:00.000+08:00" 't(e["eventTime"]) < t("2019-10-07T22:15:00.000+08:00")' "LT_eventTime with an unescaped + (a space)"
q "GE_eventTime=2005-04-04T02:33:31.116Z&LT_eventTime=2005-04-05T02:33:31.117Z" 't("2005-04-04T02:33:31.116Z") <= t(e["eventTime"]) < t("2005-04-05T02:33:31.117Z")' "GE_ and LT_eventTime, to the millisecond"
q "EQ_action=OBSERVE" 'e.get("action") == "OBSERVE"' "EQ_action"
q "EQ_action=ADD,DELETE" 'e.get("action") in ("ADD", "DELETE")' "EQ_action, two values"
shipping='(e.get("bizStep") or "").split(":")[-1].split("-")[-1] == "shipping"'
q "EQ_bizStep=shipping" "$shipping" "EQ_bizStep as a bare word"
q "EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping" "$shipping" "EQ_bizStep as a CBV 1.x URN"
q "EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping" "$shipping" "EQ_bizStep as a web URI"
q "EQ_disposition=in_transit" '(e.get("disposition") or "").split(":")[-1].split("-")[-1] == "in_transit"' "EQ_disposition"
q "EQ_readPoint=urn:epc:id:sgln:0614141.07346.1234" 'e.get("readPoint") and canon(e["readPoint"]["id"]) == canon("urn:epc:id:sgln:0614141.07346.1234")' "EQ_readPoint"
q "EQ_bizLocation=urn:epc:id:sgln:0614141.00888.0" 'e.get("bizLocation") and canon(e["bizLocation"]["id"]) == canon("urn:epc:id:sgln:0614141.00888.0")' "EQ_bizLocation"
sgtin='has(e, "urn:epc:id:sgtin:0614141.107346.2017", "epcList", "childEPCs")'
q "MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017" "$sgtin" "MATCH_epc as an EPC URN"
q "MATCH_epc=https://id.gs1.org/01/10614141073464/21/2017" "$sgtin" "MATCH_epc as a Digital Link"
q "MATCH_epc=(01)10614141073464(21)2017" "$sgtin" "MATCH_epc as an element string"
q "MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017,urn:epc:id:sgtin:0614141.107346.2018" 'has(e, "urn:epc:id:sgtin:0614141.107346.2017", "epcList", "childEPCs") or has(e, "urn:epc:id:sgtin:0614141.107346.2018", "epcList", "childEPCs")' "MATCH_epc, two values"
q "MATCH_parentID=urn:epc:id:sscc:0614141.1234567890" 'has(e, "urn:epc:id:sscc:0614141.1234567890", "parentID")' "MATCH_parentID"
q "MATCH_anyEPC=urn:epc:id:sscc:0614141.1234567890" 'has(e, "urn:epc:id:sscc:0614141.1234567890", "epcList", "parentID", "childEPCs", "inputEPCList", "outputEPCList")' "MATCH_anyEPC"
q "MATCH_inputEPC=urn:epc:id:sgtin:4012345.011122.25" 'has(e, "urn:epc:id:sgtin:4012345.011122.25", "inputEPCList")' "MATCH_inputEPC"
q "MATCH_outputEPC=urn:epc:id:sgtin:4012345.077889.25" 'has(e, "urn:epc:id:sgtin:4012345.077889.25", "outputEPCList")' "MATCH_outputEPC"
q "MATCH_epcClass=urn:epc:class:lgtin:4012345.012345.998877" 'hascls(e, "urn:epc:class:lgtin:4012345.012345.998877", "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")' "MATCH_epcClass"
q "EQ_bizTransaction_desadv=urn:epcglobal:cbv:bt:0614141073467:1152" 'typed(e, "bizTransactionList", "bizTransaction", "desadv", "urn:epcglobal:cbv:bt:0614141073467:1152")' "EQ_bizTransaction_<type>"
q "EQ_bizTransaction_po=http://transaction.acme.com/po/12345678" 'typed(e, "bizTransactionList", "bizTransaction", "po", "http://transaction.acme.com/po/12345678")' "EQ_bizTransaction_<type> with a plain URL (not a GS1 Digital Link)"
q "EQ_source_location=urn:epc:id:sgln:4012345.00225.0" 'typed(e, "sourceList", "source", "location", "urn:epc:id:sgln:4012345.00225.0")' "EQ_source_<type>"
q "EQ_destination_location=urn:epc:id:sgln:0614141.00777.0" 'typed(e, "destinationList", "destination", "location", "urn:epc:id:sgln:0614141.00777.0")' "EQ_destination_<type>"
q "EQ_destination_owning_party=urn:epc:id:sgln:0614141.00001.0" 'typed(e, "destinationList", "destination", "owning_party", "urn:epc:id:sgln:0614141.00001.0")' "EQ_destination_<type>, another type"
q "eventType=ObjectEvent&EQ_action=OBSERVE&EQ_bizStep=shipping" 'e["type"] == "ObjectEvent" and e.get("action") == "OBSERVE" and '"$shipping" "filters combine (all must hold)"
is "$(count "$TR" "EQ_bizTransaction_po=urn:epcglobal:cbv:bt:0614141073467:1152")" 0 "EQ_bizTransaction_<type>: the type must match too"
rt=$(python3 -c 'import json,sys; print(max(e["recordTime"] for e in json.load(open(sys.argv[1]))))' "$T/all.json")
is "$(count "$TR" "GE_recordTime=$rt")" "$(py "e['recordTime'] >= '$rt'")" "GE_recordTime"
is "$(count "$TR" "LT_recordTime=$rt")" "$(py "e['recordTime'] < '$rt'")" "LT_recordTime"
is "$(count "$TR" "GE_recordTime=2099-01-01T00:00:00Z")" 0 "GE_recordTime in the future: none"

# the events of one code, any form
a=$(curl -s -H "Authorization: Bearer $TR" "$base/epcis/epcs/urn:epc:id:sgtin:0614141.107346.2017/events" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["epcisBody"]["queryResults"]["resultsBody"]["eventList"]))')
b=$(curl -s -H "Authorization: Bearer $TR" "$base/epcis/epcs/https%3A%2F%2Fid.gs1.org%2F01%2F10614141073464%2F21%2F2017/events" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["epcisBody"]["queryResults"]["resultsBody"]["eventList"]))')
c=$(count "$TR" "MATCH_anyEPC=urn:epc:id:sgtin:0614141.107346.2017")
[ "$a" = "$c" ] && [ "$b" = "$c" ] && [ "$c" -gt 0 ] && ok "GET /epcis/epcs/{epc}/events = MATCH_anyEPC, URN or encoded Digital Link ($c)" || bad "epcs: $a $b $c"
out=$(req GET /epcis/epcs/urn:epc:id:sgtin:0614141.107346.2017 "$TR")
is "${out%% *}" 404 "GET /epcis/epcs/{epc} without /events: 404"

# bad parameters: 400 naming them
out=$(req GET "/epcis/events?GE_eventTime=yesterday" "$TR")
is "${out%% *}" 400 "a malformed time: 400"
has "$out" "GE_eventTime: not an RFC 3339 date-time" "the error names the parameter"
out=$(req GET "/epcis/events?LT_recordTime=2025-02-30T00:00:00Z" "$TR")
has "$out" "LT_recordTime: not an RFC 3339" "February 30th is refused"
out=$(req GET "/epcis/events?EQ_quantity=3&foo=1" "$TR")
is "${out%% *}" 400 "unknown parameters: 400"
has "$out" "QueryParameterException: EQ_quantity, foo: not a query parameter" "the error names every unknown parameter"
out=$(req GET "/epcis/events?eventType=Thing" "$TR")
has "$out" "eventType: not an event type" "a bad eventType is named"
out=$(req GET "/epcis/events?EQ_action=PUT" "$TR")
has "$out" "EQ_action: not ADD, OBSERVE or DELETE" "a bad action is named"
out=$(req GET "/epcis/events?perPage=0" "$TR")
has "$out" "perPage: must be from 1 to 10000" "perPage 0 is refused"
out=$(req GET "/epcis/events?perPage=10001" "$TR")
is "${out%% *}" 400 "perPage over 10000 is refused"
out=$(req GET "/epcis/events?nextPageToken=abc" "$TR")
has "$out" "nextPageToken: not a token this server gave" "a forged page token is refused"
out=$(req GET "/epcis/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017,,x" "$TR")
has "$out" "MATCH_epc: an empty value" "an empty list item is refused"
out=$(req GET "/epcis/events?MATCH_epc=https://id.gs1.org/01/00614141073468/21/1" "$TR")
is "${out%% *}" 400 "a GS1 key with a wrong check digit: 400"
has "$out" "check digit" "and the store says why"
out=$(req GET "/epcis/events" "$TR")
is "$(echo "${out#* }" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["epcisBody"]["queryResults"]["resultsBody"]["eventList"]))')" 30 "perPage defaults to 30"
has "$(header Link)" 'nextPageToken=yq1-' "and a Link to the next page"
has "$(cat "$T/head")" "GS1-EPCIS-Version: 2.0.0" "answers carry GS1-EPCIS-Version"
has "$(cat "$T/head")" "GS1-CBV-Version: 2.0.0" "answers carry GS1-CBV-Version"

# versions
out=$(req GET /epcis/events "$TR" -H 'GS1-EPCIS-Min: 3.0.0')
is "${out%% *}" 406 "GS1-EPCIS-Min above 2.0.0: 406"
has "$out" "NotAcceptableException" "406 says why"
out=$(req GET /epcis/events "$TR" -H 'GS1-EPCIS-Max: 1.2.0')
is "${out%% *}" 406 "GS1-EPCIS-Max below 2.0.0: 406"
out=$(req GET /epcis/events "$TR" -H 'GS1-EPCIS-Min: 1.0.0' -H 'GS1-EPCIS-Max: 2.1' -H 'GS1-CBV-Max: 2.0.0')
is "${out%% *}" 200 "a range holding 2.0.0: 200"
out=$(req GET /epcis/events "$TR" -H 'GS1-EPCIS-Min: two')
is "${out%% *}" 400 "a malformed version: 400"

# ---- reading one's own events ------------------------------------------------
is "$(count "$TS" "")" "$accepted" "a seller reads the events it recorded"
is "$(count "$TS2" "")" 0 "another seller reads none of them"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["eventID"])' "$T/all.json")
enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$id")
out=$(req GET "/epcis/events/$enc" "$TS")
is "${out%% *}" 200 "GET /epcis/events/{eventID} by its recorder: 200"
has "$out" '"type":"EPCISQueryDocument"' "the event comes in a query document"
has "$out" "\"eventID\":\"$id\"" "the event asked for"
out=$(req GET "/epcis/events/$enc" "$TS2")
is "${out%% *}" 404 "another seller: 404"
out=$(req GET "/epcis/events/$enc" "$TA")
is "${out%% *}" 200 "the auditor: 200"
out=$(req GET "/epcis/events/urn:uuid:no-such-event" "$TR")
is "${out%% *}" 404 "an unknown eventID: 404"

# ---- single events -------------------------------------------------------------
cat > "$T/one.json" <<'EOF'
{"type":"ObjectEvent","eventTime":"2026-01-02T03:04:05.000+08:00","eventTimeZoneOffset":"+08:00",
 "epcList":["https://id.gs1.org/01/06941234000012/21/9001"],"action":"OBSERVE","bizStep":"receiving",
 "readPoint":{"id":"urn:epc:id:sgln:0614141.00777.0"}}
EOF
before=$(ledger)
out=$(req POST /epcis/events "$TS2" -H 'Content-Type: application/json' --data-binary @"$T/one.json")
is "${out%% *}" 201 "POST /epcis/events: 201"
loc=$(header Location)
has "$loc" "/epcis/events/ni%3A%2F%2F%2Fsha-256%3B" "Location: the event's hash ID, percent-encoded"
has "$out" '"recordTime":"' "the answer is the stored event with its recordTime"
out=$(req GET "$loc" "$TS2")
is "${out%% *}" 200 "the Location can be read back"
out=$(req POST /epcis/events "$TS2" -H 'Content-Type: application/json' --data-binary @"$T/one.json")
is "${out%% *}" 200 "the same event again: 200, not stored twice"
is "$(header Location)" "$loc" "with the stored event's Location"
is "$(ledger)" $((before + 1)) "one event in the ledger"
is "$(count "$TS2" "")" 1 "the second seller reads its own event"
out=$(req POST /epcis/events "$TS2" -H 'Content-Type: application/json' --data-binary @"$EX/Example_9.6.1-ObjectEvent.jsonld")
is "${out%% *}" 400 "a document to POST /epcis/events: 400"
has "$out" "documents go to POST /epcis/capture" "which says where documents go"
out=$(req POST /epcis/events "$TS2" -H 'Content-Type: application/json' --data-binary '{"type":"ObjectEvent","action":"OBSERVE","epcList":["urn:epc:id:sgtin:0614141.107346.1"],"eventTimeZoneOffset":"+08:00"}')
is "${out%% *}" 400 "an event without eventTime: 400"
has "$out" "eventTime" "the reader's message names the field"

# ---- capture jobs ----------------------------------------------------------------
out=$(capture "$TS" "$EX/Example_9.6.2-ObjectEvent.jsonld")
job=$(header Location)
has "$job" "/epcis/capture/" "202 Location is a capture job"
out=$(req GET "$job" "$TS")
has "$out" '"running":false,"success":true,"captureErrorBehaviour":"rollback","errors":[]' "the job is finished and successful"
has "$out" '"duplicates":1' "a re-captured event counts as a duplicate"
is "$(req GET "$job" "$TR" | cut -c1-3)" 200 "the regulator reads any job"
is "$(req GET "$job" "$TS2" | cut -c1-3)" 404 "another seller does not"
is "$(req GET /epcis/capture/0000000000000000 "$TS" | cut -c1-3)" 404 "an unknown job: 404"

# ---- rollback and proceed -------------------------------------------------------
python3 - "$T" <<'PY'
import json, sys
d = sys.argv[1]
def ev(serial, gtin="00614141073467"):
    return {"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
            "eventTime": "2026-02-01T10:00:0%d.000Z" % (serial % 10), "eventTimeZoneOffset": "+00:00",
            "epcList": ["https://id.gs1.org/01/%s/21/%d" % (gtin, serial)]}
def doc(events):
    return {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-02-01T10:00:00Z",
            "epcisBody": {"eventList": events}}
mixed = [ev(1), ev(2, "00614141073468"), ev(3)]
json.dump(doc(mixed), open(d + "/mixed.json", "w"))
wrong = [ev(4), dict(ev(5), eventTime=12)]
json.dump(doc(wrong), open(d + "/wrongtype.json", "w"))
s = json.dumps(doc([ev(6), ev(7)]))
open(d + "/truncated.json", "w").write(s[: len(s) // 2])
open(d + "/deep.json", "w").write(json.dumps(doc([ev(8)]))[:-3] + ',"x":' + "[" * 100 + "]" * 100 + "}]}}")
json.dump(doc([ev(9)])["epcisBody"], open(d + "/notdoc.json", "w"))
many = [dict(ev(i), eventTime="2026-03-01T00:00:00.000Z", epcList=["https://id.gs1.org/01/00614141073467/21/x%d" % i])
        for i in range(10000)]
json.dump(doc(many), open(d + "/many.json", "w"))
PY
before=$(ledger)
out=$(capture "$TS" "$T/mixed.json")
is "${out%% *}" 400 "rollback (the default) with a faulty event: 400"
has "$out" "event 2: epcList[0]" "the error names the event and the field"
out=$(capture "$TS" "$T/mixed.json" -H 'GS1-Capture-Error-Behaviour: rollback')
is "${out%% *}" 400 "rollback asked for: 400"
is "$(ledger)" "$before" "rollback: nothing stored"
out=$(capture "$TS" "$T/mixed.json" -H 'GS1-Capture-Error-Behaviour: proceed')
is "${out%% *}" 202 "proceed: 202"
has "$out" '"success":false,"captureErrorBehaviour":"proceed"' "proceed: the job reports failure"
has "$out" '"index":2' "proceed: the faulty event is named by its number"
has "$out" '"accepted":2' "proceed: the valid events are stored"
is "$(ledger)" $((before + 2)) "proceed: two events in the ledger"
out=$(capture "$TS" "$T/mixed.json" -H 'GS1-Capture-Error-Behaviour: sometimes')
is "${out%% *}" 400 "another GS1-Capture-Error-Behaviour: 400"
has "$out" "is not rollback or proceed" "which says what is allowed"

# ---- bad bodies: 4xx, nothing stored ----------------------------------------------
before=$(ledger)
out=$(capture "$TS" "$T/truncated.json")
is "${out%% *}" 400 "truncated JSON: 400"
out=$(capture "$TS" "$T/wrongtype.json")
is "${out%% *}" 400 "a wrong type: 400"
has "$out" "event 2: eventTime" "the wrong type is named"
out=$(capture "$TS" "$T/deep.json")
is "${out%% *}" 400 "JSON nested 100 deep: 400"
has "$out" "deeper than 64 levels" "nesting error"
out=$(capture "$TS" "$T/notdoc.json")
is "${out%% *}" 400 "not an EPCIS document: 400"
out=$(req POST /epcis/capture "$TS" -H 'Content-Type: text/plain' --data-binary @"$T/mixed.json")
is "${out%% *}" 415 "a body not typed JSON: 415"
out=$(req POST /epcis/capture "$TS" -H 'Content-Type: application/json')
is "${out%% *}" 400 "an empty body: 400"
python3 - "$base" "$TS" > "$T/big" <<'PY'
import socket, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
s = socket.create_connection((u.hostname, u.port), timeout=10)
s.sendall(b"POST /epcis/capture HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + sys.argv[2].encode() +
          b"\r\nContent-Type: application/json\r\nContent-Length: 70000000\r\n\r\n{")
print(s.recv(4096).decode().split("\r\n")[0])
PY
has "$(cat "$T/big")" "413" "a body over 64 MiB: 413"
is "$(ledger)" "$before" "no bad body stored anything"

# ---- a producer commissions only its own codes -------------------------------------
cat > "$T/own.json" <<'EOF'
{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld","type":"EPCISDocument",
 "schemaVersion":"2.0","creationDate":"2026-01-01T00:00:00Z","epcisBody":{"eventList":[
 {"type":"ObjectEvent","action":"ADD","bizStep":"commissioning","eventTime":"2026-01-01T08:00:00Z","eventTimeZoneOffset":"+08:00",
  "epcList":["https://id.gs1.org/01/06901234000016/21/A1","urn:epc:id:sgtin:6901234.000001.A2"],
  "quantityList":[{"epcClass":"https://id.gs1.org/01/06901234000016/10/L1","quantity":5,"uom":"KGM"}]},
 {"type":"ObjectEvent","action":"OBSERVE","bizStep":"inspecting","eventTime":"2026-01-01T09:00:00Z","eventTimeZoneOffset":"+08:00",
  "epcList":["urn:epc:id:sgtin:0614141.107346.2017"]}]}}
EOF
cat > "$T/foreign.json" <<'EOF'
{"@context":"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld","type":"EPCISDocument",
 "schemaVersion":"2.0","creationDate":"2026-01-01T00:00:00Z","epcisBody":{"eventList":[
 {"type":"ObjectEvent","action":"ADD","eventTime":"2026-01-01T08:00:00Z","eventTimeZoneOffset":"+08:00",
  "epcList":["https://id.gs1.org/01/06901234000016/21/B1"]},
 {"type":"ObjectEvent","action":"ADD","eventTime":"2026-01-01T08:00:01Z","eventTimeZoneOffset":"+08:00",
  "epcList":["https://id.gs1.org/01/06901234000016/21/B2","https://id.gs1.org/01/00614141073467/21/B3"]}]}}
EOF
before=$(ledger)
out=$(capture "$TP" "$T/foreign.json")
is "${out%% *}" 403 "a producer commissioning a foreign GTIN: 403"
has "$out" '"event":2,"code":"https://id.gs1.org/01/00614141073467/21/B3"' "403 names the event and the code"
out=$(capture "$TP" "$T/foreign.json" -H 'GS1-Capture-Error-Behaviour: proceed')
is "${out%% *}" 403 "even with proceed: 403"
out=$(capture "$TS2" "$T/foreign.json")
is "${out%% *}" 403 "a seller commissioning a product's units: 403 (the same rule as POST /api/v1/events)"
has "$out" "not a producer" "and says why"
is "$(ledger)" "$before" "nothing of the refused captures stored"
out=$(capture "$TP" "$T/own.json")
is "${out%% *}" 202 "commissioning its own GTINs (any form) and observing a foreign one: 202"
is "$(ledger)" $((before + 2)) "both events stored"
is "$(count "$TP" "")" 2 "the producer reads the events it recorded"
out=$(req POST /api/v1/codes "$TP" -H 'Content-Type: application/json' --data-binary '{"product":"06901234000016","count":1}')
dic=$(echo "${out#* }" | python3 -c 'import json,sys; print(json.load(sys.stdin)["codes"][0])' 2>/dev/null)
if [ -n "$dic" ]; then
    printf '{"type":"ObjectEvent","action":"ADD","eventTime":"2026-01-03T08:00:00Z","eventTimeZoneOffset":"+08:00","epcList":["%s"]}' "$dic" > "$T/dic.json"
    out=$(req POST /epcis/events "$TP" -H 'Content-Type: application/json' --data-binary @"$T/dic.json")
    is "${out%% *}" 201 "commissioning a platform code issued to the producer: 201"
    "$Y" party add --db "$db" --uscc $S --name 福州商店 --role seller,producer >/dev/null
    TS3=$(tok $S producer)
    printf '{"type":"ObjectEvent","action":"ADD","eventTime":"2026-01-03T08:00:01Z","eventTimeZoneOffset":"+08:00","epcList":["%s"]}' "$dic" > "$T/dic2.json"
    out=$(req POST /epcis/events "$TS3" -H 'Content-Type: application/json' --data-binary @"$T/dic2.json")
    is "${out%% *}" 403 "another producer commissioning that platform code: 403"
else
    bad "POST /api/v1/codes gave no platform code: $out"
fi

# ---- a capture of 10,000 events ---------------------------------------------------
before=$(ledger)
out=$(capture "$TS" "$T/many.json")
is "${out%% *}" 202 "a document of 10,000 events: 202"
has "$out" '"accepted":10000' "all 10,000 accepted"
is "$(ledger)" $((before + 10000)) "and in the ledger"
has "$(curl -s "$base/metrics")" "yima_events_ingested_total $(ledger)" "metrics count every event captured"

[ $fails -eq 0 ]
