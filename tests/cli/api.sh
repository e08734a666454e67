#!/bin/sh
# tests/cli/api.sh - scanning, the native API and the public ledger, end to
# end: the real server on 127.0.0.1 (a free port), a fresh store with the
# demo master data and supply chain, parties and tokens made with the CLI,
# driven with curl. Checks the consumer view (JSON and HTML, every printed
# form of a code giving the same answer, sold / in circulation, never
# issued, no commercial data), the role x endpoint access matrix, the
# ownership rules, bad bodies refused with nothing stored, tiles equal to
# `yima ledger tiles` and proofs equal to `yima ledger proof`. Kills only
# the server it started.
set -u
Y=${YIMA:-build/yima}
. tests/tools/server.sh
. tests/tools/tap.sh

# req METHOD PATH [curl args]: print "CODE BODY"
req() {
    m=$1; p=$2; shift 2
    curl -s -X "$m" -o "$T/body" -w '%{http_code}' "$@" "$base$p"
    printf ' '
    cat "$T/body"
}
# json: the JSON answer of a GET
json() { curl -s -H 'Accept: application/json' "$base$1"; }
# code TOKEN METHOD PATH [curl args]: the status only ("-" for no token)
code() {
    t=$1; m=$2; p=$3; shift 3
    if [ "$t" = - ]; then
        curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$base$p"
    else
        curl -s -o "$T/body" -w '%{http_code}' -X "$m" \
            -H "Authorization: Bearer $t" "$@" "$base$p"
    fi
}
ledger_size() { curl -s "$base/healthz" | sed -n 's/.*"ledger_size":\([0-9]*\).*/\1/p'; }
# py EXPR FILE: evaluate a Python expression over the JSON in FILE (as j)
py() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$2"; }

db=$T/y.db
"$Y" init --db "$db" >/dev/null || { bad "init"; exit 1; }
"$Y" import --db "$db" data/demo/master.csv data/demo/supply-chain.jsonld >/dev/null ||
    { bad "import the demo"; exit 1; }
P=91350100MA2XYW011J   # producer (demo), GCP 6901234
S=91110105MA0AB12366   # seller (demo)
P2=91330100MA2AB123X7  # another producer, GCP 6912345
R=11100000000013127D   # regulator
A=11100000123456788R   # auditor
NEW=91330100123456788G # a party the regulator adds over the API
"$Y" party add --db "$db" --uscc $P2 --name "杭州某电器有限公司" --role producer --gcp 6912345 >/dev/null
"$Y" party add --db "$db" --uscc $R --name "市场监督管理局" --role regulator >/dev/null
"$Y" party add --db "$db" --uscc $A --name "第三方审计" --role auditor >/dev/null
"$Y" product add --db "$db" --producer $P2 --gtin 06912345000017 --name "燃气灶 JZT-2" \
    --category gas-appliance --model JZT-2 --standard "GB 16410-2020" --ccc 2023010805123456 >/dev/null
tok() { "$Y" token create --db "$db" --party "$1" --role "$2" | tail -n 1; }
TP=$(tok $P producer)
TS=$(tok $S seller)
TP2=$(tok $P2 producer)
TR=$(tok $R regulator)
TA=$(tok $A auditor)
TX=$(tok $S seller)
"$Y" token revoke --db "$db" "$TX" >/dev/null

start_server "$db" || { bad "the server did not start: $(cat "$T/err")"; exit 1; }

# ---- scanning ---------------------------------------------------------------
U=/01/06901234000016/21/1001
json $U > "$T/dl.json"
v=$(cat "$T/dl.json")
has "$v" '"code":"https://id.gs1.org/01/06901234000016/21/1001"' "scan DL path: the canonical code"
has "$v" '"name":"BV 2.5mm² 铜芯聚氯乙烯绝缘电线 100m","model":"BV 2.5mm²","category":{"id":"wire-cable","name":"电线电缆"},"standard":"GB/T 5023.3-2008"' "scan: product name, model, category, standard"
has "$v" '"producer":{"name":"福州闽江电缆有限公司","uscc":"91350100MA2XYW011J"}' "scan: producer name and USCC"
has "$v" '"certification":{"licence":"(闽)XK06-001-00123"}' "scan: production licence"
has "$v" '"batch":{"lot":"L20260301","production_date":"2026-03-01","inspection":"passed"}' "scan: batch from the commissioning ILMD, with inspection"
has "$v" '"status":"in_circulation"' "scan: a shipped, unsold unit is in circulation"
has "$v" '"authenticity":{"verdict":"verified","reasons":[]}' "scan: verified"

forms="(01)06901234000016(21)1001
urn:epc:id:sgtin:6901234.000001.1001
https://example.com/01/06901234000016/21/1001
0106901234000016211001
]d20106901234000016211001
(01)０６９０１２３４００００１６(21)１００１
https://id.gs1.org/01/06901234000016/10/L20260301/21/1001"
echo "$forms" | while IFS= read -r f; do
    curl -s -G -H 'Accept: application/json' --data-urlencode "code=$f" "$base/api/v1/scan" > "$T/form.json"
    if cmp -s "$T/form.json" "$T/dl.json"; then
        echo "ok - same"
    else
        echo "differs: $f: $(cat "$T/form.json")"
    fi
done > "$T/forms"
is "$(grep -c '^ok - same' "$T/forms")" 7 "scan ?code= in 7 printed forms gives the DL path's answer $(grep differs "$T/forms")"

curl -s -D "$T/head" -o "$T/page.html" "$base$U"
has "$(cat "$T/head")" "Content-Type: text/html; charset=utf-8" "scan without Accept JSON: an HTML page"
p=$(cat "$T/page.html")
has "$p" '<meta name="viewport"' "HTML: mobile viewport"
has "$p" "福州闽江电缆有限公司" "HTML: producer"
has "$p" "<th>执行标准</th><td>GB/T 5023.3-2008</td>" "HTML: executive standard"
has "$p" "<th>检验状态</th><td>合格</td>" "HTML: inspection status"
hasnt "$p" "src=" "HTML: no external resources (src)"
hasnt "$p" "href=" "HTML: no external resources (href)"
out=$(curl -s -H 'Accept: text/html,application/xhtml+xml,*/*;q=0.8' "$base/api/v1/scan?code=urn:epc:id:sgtin:6901234.000001.1001")
has "$out" "<!DOCTYPE html>" "a browser's Accept gets HTML from ?code= too"

v=$(json /01/06901234000016/21/1002)
has "$v" '"status":"sold"' "scan: a unit sold at retail is sold"
has "$v" '"code":"already_sold"' "scan: a sold unit warns already_sold"
has "$v" '"verdict":"caution"' "scan: verdict caution for a sold unit"
has "$(curl -s "$base/01/06901234000016/21/1002")" "该商品已售出" "HTML: the already-sold warning"

v=$(json /01/09501101530003/21/77)
has "$v" '"verdict":"never_issued"' "scan: a made-up GTIN was never issued"
has "$v" '"status":"unknown"' "scan: no events, status unknown"
v=$(json /00/069012340000000016)
has "$v" '"level":"container"' "scan /00/ SSCC: a container"

out=$(req GET /01/06901234000017/21/1 -H 'Accept: application/json')
is "${out%% *}" 400 "scan: a wrong check digit is 400"
has "$out" '"detail":"path: AI (01): check digit is 7, expected 6 (at character 18)","position":18' "400 says what and where in the path"
out=$(req GET "/api/v1/scan?code=0690123400001X")
is "${out%% *}" 400 "scan ?code=junk: 400"
has "$out" '"error":"bad code"' "junk: JSON error"
out=$(req GET "/api/v1/scan")
is "${out%% *}" 400 "scan without code: 400"

# ---- events and platform codes ---------------------------------------------
ev() { # ev EPC BIZSTEP DISP [extra JSON members]: one ObjectEvent
    printf '{"type":"ObjectEvent","eventTime":"2026-04-0%sT10:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["%s"],"action":"%s","bizStep":"%s","disposition":"%s"%s}' \
        "$5" "$1" "$4" "$2" "$3" "${6:-}"
}
out=$(req POST /api/v1/codes -H "Authorization: Bearer $TP" -d '{"product":"6901234000016","count":3}')
is "${out%% *}" 201 "POST /api/v1/codes: 201"
printf '%s' "${out#* }" > "$T/codes.json"
is "$(py 'len(j["codes"])' "$T/codes.json")" 3 "three platform codes issued"
D1=$(py 'j["codes"][0]' "$T/codes.json")
D2=$(py 'j["codes"][1]' "$T/codes.json")
v=$(json "/api/v1/scan?code=$D1")
has "$v" '"producer":{"name":"福州闽江电缆有限公司"' "scan a platform code: its producer"
has "$v" '"code":"issued_not_released"' "scan an issued, uncommissioned platform code: issued_not_released"
wide=$(python3 -c 'import sys; print("".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in sys.argv[1]))' "$D1")
curl -s -G -H 'Accept: application/json' --data-urlencode "code=$wide" "$base/api/v1/scan" > "$T/wide.json"
is "$(py 'j["code"]' "$T/wide.json")" "urn:yima:dic:$D1" "a platform code typed in full-width characters"

out=$(req POST /api/v1/events -H "Authorization: Bearer $TP" -d "$(ev "urn:yima:dic:$D1" commissioning active ADD 1)")
is "${out%% *}" 201 "producer commissions its platform code: 201"
printf '%s' "${out#* }" > "$T/ev1.json"
E1=$(py 'j["events"][0]["eventID"]' "$T/ev1.json")
has "$(json "/api/v1/scan?code=$D1")" '"code":"issued_not_released"' "commissioned only: still not released"
ship="\"sourceList\":[{\"type\":\"owning_party\",\"source\":\"urn:yima:uscc:$P\"}],\"destinationList\":[{\"type\":\"owning_party\",\"destination\":\"urn:yima:uscc:$S\"}]"
out=$(req POST /api/v1/events -H "Authorization: Bearer $TS" -d "$(ev "urn:yima:dic:$D1" receiving in_progress OBSERVE 2)")
is "${out%% *}" 422 "seller may not receive what was not shipped to it: 422"
has "$out" "is not held by you: custody says it is with $P" "and is told who holds it"
out=$(req POST /api/v1/events -H "Authorization: Bearer $TS" -d "$(ev "urn:yima:dic:$D1" shipping in_transit OBSERVE 2 ",$ship")")
is "${out%% *}" 403 "seller may not record the producer's shipment: 403"
has "$out" "the source is $P" "and is told why"
out=$(req POST /api/v1/events -H "Authorization: Bearer $TP" -d "$(ev "urn:yima:dic:$D1" shipping in_transit OBSERVE 2 ",$ship")")
is "${out%% *}" 201 "producer ships it to the seller: 201"
out=$(req POST /api/v1/events -H "Authorization: Bearer $TS" -d "[$(ev "urn:yima:dic:$D1" receiving in_progress OBSERVE 2),$(ev "urn:yima:dic:$D1" retail_selling retail_sold OBSERVE 3)]")
is "${out%% *}" 201 "seller records receiving and a sale (an array): 201"
has "$out" '"accepted":2,"duplicates":0' "two events accepted"
v=$(json "/api/v1/scan?code=$D1")
has "$v" '"status":"sold"' "platform code: sold after the sale"
hasnt "$v" "issued_not_released" "no longer issued_not_released"

# a transaction with commercial data on unit 1001
txn='{"type":"TransactionEvent","eventTime":"2026-04-05T10:00:00+08:00","eventTimeZoneOffset":"+08:00","@context":[{"ex":"https://ex.example/"}],"epcList":["urn:epc:id:sgtin:6901234.000001.1001"],"action":"ADD","bizStep":"shipping","disposition":"in_transit","bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:6905678000015:PO-SECRET-77"}],"sourceList":[{"type":"owning_party","source":"urn:epc:id:pgln:6905678.00010"}],"destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:6909999.00010"}],"ex:price":"199.00","ex:customer":"张三"}'
out=$(req POST /api/v1/events -H "Authorization: Bearer $TS" -d "$txn")
is "${out%% *}" 201 "seller records a transaction with a PO and a price"
printf '%s' "${out#* }" > "$T/txn.json"
ETX=$(py 'j["events"][0]["eventID"]' "$T/txn.json")
all="$(json $U)$(curl -s "$base$U")$(json /00/069012340000000016)$(json "/api/v1/scan?code=$D1")"
for secret in PO-SECRET bizTransaction 199.00 price 张三 customer quantity 3000 北京华信 上海浦东 6905678 6909999 sourceList destination; do
    case "$all" in *"$secret"*) echo "$secret" ;; esac
done > "$T/leaks"
is "$(cat "$T/leaks" | tr '\n' ' ')" "" "scan views show no commercial data (PO, price, customer, quantity, other parties)"

# ---- ownership rules ---------------------------------------------------------
before=$(ledger_size)
is "$(code "$TP2" POST /api/v1/events -d "$(ev urn:epc:id:sgtin:6901234.000001.5555 commissioning active ADD 4)")" 403 "a producer may not commission another producer's GTIN"
has "$(cat "$T/body")" "is not a code of urn:yima:uscc:$P2" "and is told why"
is "$(code "$TP2" POST /api/v1/events -d "$(ev "urn:yima:dic:$D2" commissioning active ADD 4)")" 403 "nor another producer's platform code"
is "$(code "$TS" POST /api/v1/events -d "$(ev urn:epc:id:sgtin:6901234.000001.5556 commissioning active ADD 4)")" 403 "a seller may not commission"
is "$(code "$TP2" POST /api/v1/events -d "[$(ev urn:epc:id:sgtin:6912345.000001.1 commissioning active ADD 4),$(ev urn:epc:id:sgtin:6901234.000001.5557 commissioning active ADD 5)]")" 403 "one foreign code refuses the whole array"
is "$(ledger_size)" "$before" "nothing stored by refused captures"
is "$(code "$TP2" POST /api/v1/events -d "$(ev urn:epc:id:sgtin:6912345.000001.1 commissioning active ADD 4)")" 201 "a producer commissions under its own GCP"
is "$(code "$TP" POST /api/v1/products -d '{"gtin":"06912345000024","producer":"'$P2'","name":"x","category":"gas-appliance"}')" 403 "a producer may not add a product for another producer"
is "$(code "$TP" POST /api/v1/products -d '{"gtin":"06912345000017","name":"taken","category":"gas-appliance"}')" 403 "nor take over another producer's product"
is "$(code "$TP" POST /api/v1/batches -d '{"product":"06912345000017","lot":"X1"}')" 403 "nor add batches of another producer's product"
is "$(code "$TP" POST /api/v1/codes -d '{"product":"06912345000017","count":1}')" 403 "nor issue codes for another producer's product"
is "$(code "$TP2" GET "/api/v1/codes/$(printf '(01)06901234000016(21)1001' | sed 's/(/%28/g; s/)/%29/g')/history")" 403 "nor read the history of another producer's code"

# ---- the access matrix -------------------------------------------------------
# one line per endpoint: METHOD PATH BODY then the status for the public,
# producer, seller, regulator, auditor
H=$(printf '(01)06901234000016(21)1001' | sed 's/(/%28/g; s/)/%29/g')
cat > "$T/matrix" <<EOF
GET /api/v1/scan?code=06901234000016 - 200 200 200 200 200
GET /01/06901234000016/21/1001 - 200 200 200 200 200
GET /ledger/tile/0/000.p/1 - 200 200 200 200 200
GET /api/v1/ledger/proof?event=$E1 - 200 200 200 200 200
POST /api/v1/parties {"uscc":"$NEW","name":"新企业","roles":["seller"]} 401 403 403 201 403
GET /api/v1/parties/$P - 401 200 200 200 200
POST /api/v1/products {"gtin":"06901234000023","producer":"$P","name":"BV-4mm²","category":"wire-cable","model":"BV-4mm²"} 401 201 403 201 403
GET /api/v1/products/06901234000016 - 401 200 200 200 200
POST /api/v1/batches {"product":"06901234000016","lot":"L20260401","inspection":"passed"} 401 201 403 201 403
GET /api/v1/batches/06901234000016/L20260301 - 401 200 200 200 200
POST /api/v1/codes {"product":"06901234000016","count":1} 401 201 403 403 403
POST /api/v1/events {"type":"ObjectEvent","eventTime":"2026-04-09T10:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:6901234.000001.1001"],"action":"OBSERVE","bizStep":"inspecting"} 401 201 201 403 403
GET /api/v1/events?code=urn:epc:id:sgtin:6901234.000001.1001 - 401 200 200 200 200
GET /api/v1/codes/$H/history - 401 200 200 200 200
EOF
while read -r m p b s0 s1 s2 s3 s4; do
    set -- "$s0" "$s1" "$s2" "$s3" "$s4"
    k=0
    got=""
    for t in - "$TP" "$TS" "$TR" "$TA"; do
        if [ "$b" = - ]; then
            got="$got $(code "$t" "$m" "$p")"
        else
            got="$got $(code "$t" "$m" "$p" -d "$b")"
        fi
    done
    is "$got" " $s0 $s1 $s2 $s3 $s4" "access: $m ${p%%\?*} (public producer seller regulator auditor)"
done < "$T/matrix"
is "$(code ymt_000000000000_00000000000000000000000000000000 GET /api/v1/parties/$P)" 401 "an unknown token: 401"
has "$(cat "$T/body")" '"error":"bad token"' "401 says why"
is "$(code "$TX" GET /api/v1/parties/$P)" 401 "a revoked token: 401"
is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Basic eDp5' "$base/api/v1/parties/$P")" 401 "not a bearer token: 401"
is "$(code "$TS" POST /api/v1/parties -d '{}')" 403 "403 before the body is looked at"
has "$(cat "$T/body")" '"detail":"a seller token may not add parties"' "403 says who may not do what"

# ---- reading back ------------------------------------------------------------
out=$(req GET /api/v1/parties/$NEW -H "Authorization: Bearer $TA")
has "$out" '"uscc":"urn:yima:uscc:91330100123456788G","name":"新企业"' "the party the regulator added reads back"
out=$(req GET /api/v1/products/https://id.gs1.org/01/06901234000023 -H "Authorization: Bearer $TS")
has "$out" '"producer":"urn:yima:uscc:91350100MA2XYW011J"' "a product read by its Digital Link"
is "$(code "$TS" GET /api/v1/products/06901234000030)" 404 "an unknown product: 404"
is "$(code "$TS" GET /api/v1/products/06901234000031)" 400 "a bad GTIN: 400"
curl -s -H "Authorization: Bearer $TR" "$base/api/v1/codes/$H/history" > "$T/hist.json"
is "$(py 'all("recordTime" in e for e in j)' "$T/hist.json")" True "history: every event has its recordTime"
is "$(py 'sorted({e.get("bizStep") for e in j} & {"packing","shipping","receiving","unpacking"})' "$T/hist.json")" \
    "['packing', 'receiving', 'shipping', 'unpacking']" "history includes the container's events while packed"
has "$(cat "$T/hist.json")" "PO-SECRET-77" "the regulator sees the transaction"
curl -s -H "Authorization: Bearer $TS" "$base/api/v1/codes/$H/history" > "$T/hist_s.json"
is "$(py '[e.get("bizStep") for e in j]' "$T/hist_s.json")" "['shipping']" "a seller sees only the events it recorded (its duplicate of the producer's is the producer's)"
curl -s -H "Authorization: Bearer $TP" "$base/api/v1/events?code=urn:epc:id:sgtin:6901234.000001.1001" > "$T/mine.json"
is "$(py '[e.get("bizStep") for e in j["events"]]' "$T/mine.json")" "['inspecting']" "GET /events: a producer reads only its own"
curl -s -H "Authorization: Bearer $TR" "$base/api/v1/events?perPage=2" > "$T/page1.json"
is "$(py 'len(j["events"])' "$T/page1.json")" 2 "GET /events: perPage"
tokn=$(py 'j["nextPageToken"]' "$T/page1.json")
curl -s -H "Authorization: Bearer $TR" "$base/api/v1/events?perPage=2&nextPageToken=$tokn" > "$T/page2.json"
is "$(py 'j["events"][0]["eventID"] != ""' "$T/page2.json")" True "GET /events: the next page"
is "$(code "$TR" GET '/api/v1/events?perPage=0')" 400 "perPage 0: 400"

# ---- bad bodies: 4xx and nothing stored --------------------------------------
python3 - "$T" <<'PY'
import sys
open(sys.argv[1] + "/deep.json", "w").write('{"a":' * 100 + '1' + '}' * 100)
PY
before=$(ledger_size)
issued=$(sqlite3 "$db" "SELECT count(*) FROM issued")
parties=$(sqlite3 "$db" "SELECT count(*) FROM parties")
products=$(sqlite3 "$db" "SELECT count(*) FROM products")
for b in '{"type":"ObjectEvent","eventTime":"2026-04-0' \
    '{"type":"ObjectEvent","eventTime":5,"eventTimeZoneOffset":"+08:00","epcList":[],"action":"OBSERVE"}' \
    '{"type":"ObjectEvent","eventTime":"2026-04-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":"urn:epc:id:sgtin:6901234.000001.1001","action":"OBSERVE"}' \
    '[{"type":"ObjectEvent","eventTime":"2026-04-01T10:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:6901234.000001.1001"],"action":"OBSERVE"},{"type":"ObjectEvent"}]' \
    '"just a string"' ''; do
    s=$(code "$TS" POST /api/v1/events -d "$b")
    case "$s" in 4??) echo "ok" ;; *) echo "bad $s: $b" ;; esac
done > "$T/bad"
is "$(grep -c '^ok' "$T/bad")" 6 "bad event bodies (truncated, wrong types, half-bad array, not JSON, empty): 4xx $(grep bad "$T/bad")"
out=$(req POST /api/v1/events -H "Authorization: Bearer $TS" -d '{"type":"ObjectEvent","eventTime":5,"eventTimeZoneOffset":"+08:00","epcList":[],"action":"OBSERVE"}')
has "$out" '"error":"bad events"' "a wrong type is named"
has "$out" "eventTime" "the field is named"
out=$(req POST /api/v1/events -H "Authorization: Bearer $TS" -H 'Content-Type: application/json' --data-binary @"$T/deep.json")
is "${out%% *}" 400 "events nested 100 deep (typed JSON): 400"
out=$(req POST /api/v1/events -H "Authorization: Bearer $TS" -H 'Content-Type: text/plain' --data-binary @"$T/deep.json")
is "${out%% *}" 400 "events nested 100 deep (untyped): 400"
has "$out" "deeper than 64 levels" "nesting error says so"
out=$(req POST /api/v1/parties -H "Authorization: Bearer $TR" -d '{"uscc":"91330100MA2AB123X7","name":')
is "${out%% *}" 400 "a truncated party: 400"
has "$out" "line 1, column" "a JSON error names line and column"
out=$(req POST /api/v1/parties -H "Authorization: Bearer $TR" -d '{"uscc":5,"name":"x"}')
is "${out%% *}" 400 "a party with a number for uscc: 400"
has "$out" '"uscc\": must be a string' "the store's message goes back"
out=$(req POST /api/v1/parties -H "Authorization: Bearer $TR" -d '{"uscc":"91330100MA2AB123X8","name":"x"}')
has "$out" "check character" "a bad USCC: the code error"
is "$(code "$TR" POST /api/v1/parties -d '[1,2]')" 400 "a party that is an array: 400"
is "$(code "$TR" POST /api/v1/parties -H 'Content-Type: text/plain' --data-binary @"$T/deep.json")" 400 "a party nested 100 deep: 400"
is "$(code "$TP" POST /api/v1/products -d '{"gtin":"06901234000047","name":["x"],"category":"wire-cable"}')" 400 "a product with an array for a name: 400"
is "$(code "$TP" POST /api/v1/products -d '{"gtin":"06901234000047","name":"x","category":"no-such"}')" 400 "a product of an unknown category: 400"
is "$(code "$TP" POST /api/v1/products -d '{"gtin":"06901234000047","name":"x","name":"y","category":"wire-cable"}')" 400 "duplicate keys: 400"
is "$(code "$TP" POST /api/v1/batches -d '{"product":"06901234000016"}')" 400 "a batch without a lot: 400"
is "$(code "$TP" POST /api/v1/codes -d '{"product":"06901234000016","count":"5"}')" 400 "codes: count as a string: 400"
is "$(code "$TP" POST /api/v1/codes -d '{"product":"06901234000016","count":10001}')" 400 "codes: count over 10000: 400"
is "$(code "$TP" POST /api/v1/codes -d '{"product":"06901234000016","count":0}')" 400 "codes: count 0: 400"
is "$(code "$TP" POST /api/v1/codes -d '{"product":6901234000016}')" 400 "codes: product as a number: 400"
is "$(code "$TP" POST /api/v1/codes -d '{"product":"06901234000030"}')" 400 "codes: an unregistered product: 400"
is "$(ledger_size)" "$before" "bad bodies stored no event"
is "$(sqlite3 "$db" "SELECT count(*) FROM issued") $(sqlite3 "$db" "SELECT count(*) FROM parties") $(sqlite3 "$db" "SELECT count(*) FROM products")" \
    "$issued $parties $products" "bad bodies stored no code, party or product"

# ---- the ledger: tiles and proofs --------------------------------------------
# enough events for a full tile (256) and a partial one
python3 - > "$T/many.json" <<'PY'
import json
evs = [{"type": "ObjectEvent", "eventTime": "2026-05-01T10:%02d:%02d+08:00" % (i // 60, i % 60),
        "eventTimeZoneOffset": "+08:00", "epcList": ["urn:epc:id:sgtin:6901234.000001.%d" % (3000 + i)],
        "action": "OBSERVE", "bizStep": "cycle_counting"} for i in range(300)]
print(json.dumps(evs))
PY
is "$(code "$TS" POST /api/v1/events --data-binary @"$T/many.json")" 201 "300 events in one array: 201"
cp_http=$(curl -s "$base/ledger/checkpoint")
size=$(echo "$cp_http" | sed -n 2p)
is "$size" "$(ledger_size)" "the checkpoint covers the whole ledger"
"$Y" ledger tiles --db "$db" --out "$T/tiles" >/dev/null || bad "yima ledger tiles"
cnt=0
diffs=""
for f in $(cd "$T/tiles" && find tile -type f | sort); do
    cnt=$((cnt + 1))
    curl -s -o "$T/tile" "$base/ledger/$f"
    cmp -s "$T/tile" "$T/tiles/$f" || diffs="$diffs $f"
done
[ $cnt -ge 4 ] && [ -z "$diffs" ] && ok "all $cnt tiles and bundles equal what yima ledger tiles writes" ||
    bad "tiles differ ($cnt files):$diffs"
curl -s -D "$T/head" -o /dev/null "$base/ledger/tile/0/000"
has "$(cat "$T/head")" "Cache-Control: public, max-age=31536000, immutable" "a full tile is immutable"
has "$(cat "$T/head")" "Content-Type: application/octet-stream" "tiles are octet streams"
curl -s -D "$T/head" -o /dev/null "$base/ledger/tile/entries/001.p/$((size - 256))"
has "$(cat "$T/head")" "Cache-Control: public, max-age=60" "a partial bundle is cached briefly"
is "$(code - GET /ledger/tile/0/002)" 404 "a tile beyond the tree: 404"
is "$(code - GET /ledger/tile/0/001.p/255)" 404 "a partial tile wider than the tree: 404"
is "$(code - GET /ledger/tile/0/1)" 404 "a tile path not in canonical form: 404"

curl -s "$base/api/v1/ledger/proof?event=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$ETX")" > "$T/proof.json"
idx=$(py 'j["index"]' "$T/proof.json")
psize=$(py 'j["size"]' "$T/proof.json")
"$Y" ledger proof --db "$db" --index "$idx" --size "$psize" > "$T/cliproof.json"
is "$(py '[j[k] for k in ("index","size","leaf_hash","path","root")]' "$T/proof.json")" \
    "$(py '[j[k] for k in ("index","size","leaf_hash","path","root")]' "$T/cliproof.json")" "the proof equals yima ledger proof"
is "$(py 'j["checkpoint"]' "$T/proof.json")" "$cp_http" "the proof names the checkpoint served at /ledger/checkpoint"
python3 - "$T/proof.json" > "$T/verify" <<'PY'
import base64, hashlib, json, sys
j = json.load(open(sys.argv[1]))
h = lambda b: hashlib.sha256(b).digest()
# RFC 9162 2.1.3.2
fn, sn, r = j["index"], j["size"] - 1, bytes.fromhex(j["leaf_hash"])
for p in j["path"]:
    p = bytes.fromhex(p)
    if sn == 0:
        print("bad: path too long"); sys.exit()
    if fn & 1 or fn == sn:
        r = h(b"\x01" + p + r)
        if not fn & 1:
            while fn and not fn & 1:
                fn >>= 1; sn >>= 1
    else:
        r = h(b"\x01" + r + p)
    fn >>= 1; sn >>= 1
root = base64.b64decode(j["checkpoint"].split("\n")[2])
print("verified" if sn == 0 and r == root and r.hex() == j["root"] else "bad")
PY
is "$(cat "$T/verify")" verified "the proof verifies against the checkpoint's root (RFC 9162)"
is "$(code - GET '/api/v1/ledger/proof?event=urn:uuid:no-such-event')" 404 "proof of an unknown event: 404"
is "$(code - GET '/api/v1/ledger/proof')" 400 "proof without an event: 400"

kill $pid
wait $pid
is "$?" 0 "the server stops cleanly"
pid=""
[ $fails -eq 0 ]
