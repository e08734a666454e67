#!/bin/sh
# tests/cli/scan_places.sh - scans at places and recall scopes in the scan
# view (src/server/h_scan.c), on the real server: each party records its
# own steps with its own token (the producer commissions, packs and ships,
# receivers receive, a shop sells), then units are scanned at places given
# as ?place= (GLN in three forms, USCC bare and as URN) or by a party's
# token. A scan at the holder is verified; at another party it gives
# scanned_elsewhere; three parties within a day, or two after the sale,
# give many_places; a bad place is 400 naming `place`; the cache never
# serves a verdict from before a placed scan; a recall of a pallet and a
# recall of a producer mark their units recalled. Kills only the server it
# started.
set -u
Y=${YIMA:-build/yima}
. tests/tools/server.sh
. tests/tools/tap.sh

db=$T/p.db
"$Y" init --db "$db" >/dev/null &&
    "$Y" import --db "$db" data/demo/master.csv >/dev/null ||
    { bad "a store with the demo master data"; exit 1; }
P=91350100MA2XYW011J  # producer (demo), GCP 6901234
D=91110105MA0AB12366  # distributor (demo), GCP 6905678
S1=92310115MA1K00074K # shop (demo), GCP 6909999
S2=91440300MA5F000007 # shop, GCP 6908888
S3=91310000MA1FL0000N # shop, GCP 6907777
P2=91330100MA2AB123X7 # another producer, GCP 6912345
R=11350100MB01234578  # regulator
"$Y" party add --db "$db" --uscc $S2 --name 深圳某五金店 --role seller --gcp 6908888 >/dev/null &&
    "$Y" party add --db "$db" --uscc $S3 --name 上海某电料店 --role seller --gcp 6907777 >/dev/null &&
    "$Y" party add --db "$db" --uscc $P2 --name 杭州某电器有限公司 --role producer --gcp 6912345 >/dev/null &&
    "$Y" party add --db "$db" --uscc $R --name 市场监督管理局 --role regulator >/dev/null &&
    "$Y" product add --db "$db" --producer $P2 --gtin 06912345000017 \
        --name "RVV 3x1.5mm² 护套线" --category wire-cable >/dev/null ||
    { bad "parties and products"; exit 1; }
tok() { "$Y" token create --db "$db" --party "$1" --role "$2" | tail -n 1; }
TP=$(tok $P producer)
TD=$(tok $D seller)
TS1=$(tok $S1 seller)
TP2=$(tok $P2 producer)
TR=$(tok $R regulator)

start_server "$db" --workers 2 || { bad "the server did not start: $(cat "$T/err")"; exit 1; }

# post TOKEN PATH BODY: the status
post() {
    curl -s -o "$T/b" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $1" --data-binary "$3" "$base$2"
}
# step WHAT TOKEN EVENT: an event recorded by the party that does it
step() {
    st=$(post "$2" /api/v1/events "$3")
    [ "$st" = 201 ] && ok "$1" || bad "$1: $st $(cat "$T/b")"
}
# obj DAY EPCS ACTION BIZSTEP DISPOSITION [MEMBERS]: one ObjectEvent
obj() {
    printf '{"type":"ObjectEvent","eventTime":"2025-01-%02dT10:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":[%s],"action":"%s","bizStep":"%s","disposition":"%s"%s}' \
        "$1" "$2" "$3" "$4" "$5" "${6:-}"
}
# move FROM TO: source and destination owning parties
move() {
    printf ',"sourceList":[{"type":"owning_party","source":"urn:yima:uscc:%s"}],"destinationList":[{"type":"owning_party","destination":"urn:yima:uscc:%s"}]' "$1" "$2"
}
at() { printf ',"readPoint":{"id":"urn:epc:id:sgln:%s.00010.0"}' "$1"; }
# scan CODE [QUERY] [TOKEN]: the JSON view
scan() {
    if [ -n "${3-}" ]; then
        curl -s -G -H 'Accept: application/json' -H "Authorization: Bearer $3" \
            --data-urlencode "code=$1" ${2:+--data-urlencode "$2"} "$base/api/v1/scan"
    else
        curl -s -G -H 'Accept: application/json' \
            --data-urlencode "code=$1" ${2:+--data-urlencode "$2"} "$base/api/v1/scan"
    fi
}
rows() { # rows CODE: the scans kept of CODE (canonical)
    python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
t = c.execute("SELECT count(*) FROM sqlite_master WHERE name = ?", ("scans",)).fetchone()[0]
print(c.execute("SELECT count(*) FROM scans WHERE code = ?", (sys.argv[2],)).fetchone()[0] if t else 0)' "$db" "$1"
}

u() { printf '"urn:epc:id:sgtin:6901234.000001.%s"' "$1"; }
PAL='"urn:epc:id:sscc:6901234.0000000020"'
U1="(01)06901234000016(21)7001"
U2="(01)06901234000016(21)7002"
U3="(01)06901234000016(21)7003"
U4="(01)06901234000016(21)7004"
U5="(01)06901234000016(21)7005"
V1="(01)06912345000017(21)1"
U1C=https://id.gs1.org/01/06901234000016/21/7001

# ---- the supply chain, each step by the party that does it -------------------
step "the producer commissions its units and its pallet" "$TP" \
    "[$(obj 1 "$(u 7001),$(u 7002),$(u 7003),$(u 7004),$(u 7005)" ADD commissioning active "$(at 6901234)"),$(obj 1 "$PAL" ADD commissioning active "$(at 6901234)")]"
step "the producer packs three units on the pallet" "$TP" \
    "{\"type\":\"AggregationEvent\",\"eventTime\":\"2025-01-02T10:00:00+08:00\",\"eventTimeZoneOffset\":\"+08:00\",\"parentID\":$PAL,\"childEPCs\":[$(u 7001),$(u 7002),$(u 7005)],\"action\":\"ADD\",\"bizStep\":\"packing\",\"disposition\":\"in_progress\"$(at 6901234)}"
step "the producer ships the pallet to the distributor" "$TP" \
    "$(obj 3 "$PAL" OBSERVE shipping in_transit "$(at 6901234)$(move $P $D)")"
step "the producer ships two units to a shop" "$TP" \
    "$(obj 3 "$(u 7003),$(u 7004)" OBSERVE shipping in_transit "$(at 6901234)$(move $P $S1)")"
step "the distributor receives the pallet" "$TD" \
    "$(obj 5 "$PAL" OBSERVE receiving in_progress "$(at 6905678)")"
step "the shop receives its units" "$TS1" \
    "$(obj 5 "$(u 7003),$(u 7004)" OBSERVE receiving in_progress "$(at 6909999)")"
step "the shop sells them" "$TS1" \
    "$(obj 9 "$(u 7003),$(u 7004)" OBSERVE retail_selling retail_sold "$(at 6909999)")"
step "the other producer commissions a unit" "$TP2" \
    "$(obj 1 '"urn:epc:id:sgtin:6912345.000001.1"' ADD commissioning active "$(at 6912345)")"
step "and ships it to the distributor" "$TP2" \
    "$(obj 2 '"urn:epc:id:sgtin:6912345.000001.1"' OBSERVE shipping in_transit "$(at 6912345)$(move $P2 $D)")"
step "who receives it" "$TD" \
    "$(obj 4 '"urn:epc:id:sgtin:6912345.000001.1"' OBSERVE receiving in_progress "$(at 6905678)")"

# ---- a scan at the holder ----------------------------------------------------
v=$(scan "$U1")
has "$v" '"verdict":"verified"' "unit 7001 at the distributor: verified"
is "$(rows $U1C)" 0 "a scan without a place is not kept"
v=$(scan "$U1" place=urn:epc:id:sgln:6905678.00010.0)
has "$v" '"verdict":"verified"' "a placed scan at the holder (an SGLN) is verified"
hasnt "$v" scanned_elsewhere "and is not elsewhere"
is "$(rows $U1C)" 1 "a placed scan is kept"
v=$(scan "$U1" place=urn:epc:id:sgln:6905678.00010.0)
is "$(rows $U1C)" 1 "the same place again at once is kept once"
v=$(scan "$U5" "" "$TD")
has "$v" '"verdict":"verified"' "a scan with the holder's token is a scan at the holder: verified"
is "$(rows https://id.gs1.org/01/06901234000016/21/7005)" 1 "and is kept"
hasnt "$v" '"places"' "the view shows no places"

# ---- a scan at another party -------------------------------------------------
v=$(scan "$U1" place=6909999000104)
has "$v" '"code":"scanned_elsewhere"' "a placed scan at another party (13-digit GLN): scanned_elsewhere"
has "$v" '"verdict":"caution"' "the verdict is caution"
hasnt "$v" many_places "two parties are not many places"
has "$(scan "$U1")" '"code":"scanned_elsewhere"' "a consumer's scan afterwards shows it too"

# ---- three parties within a day ----------------------------------------------
v=$(scan "$U2" place=https://id.gs1.org/414/6909999000104)
has "$v" scanned_elsewhere "unit 7002 at a shop (Digital Link GLN): elsewhere"
v=$(scan "$U2" place=$S2)
hasnt "$v" many_places "at two parties: not yet many places"
v=$(scan "$U2" place=urn:yima:uscc:$S3)
has "$v" '"code":"many_places"' "at three parties within a day (the last as a USCC URN): many_places"
has "$v" '"verdict":"caution"' "caution"

# ---- a sold unit --------------------------------------------------------------
v=$(scan "$U4" "" "$TS1")
has "$v" '"code":"already_sold"' "unit 7004 was sold"
hasnt "$v" scanned_elsewhere "the shop that sold it may scan it after the sale"
hasnt "$v" many_places "one party after the sale"
v=$(scan "$U3" place=urn:epc:id:sgln:6908888.00010.0)
has "$v" scanned_elsewhere "sold unit 7003 at another shop: elsewhere"
hasnt "$v" many_places "one shop after the sale is not many places"
v=$(scan "$U3" place=6907777000100)
has "$v" '"code":"many_places"' "sold unit 7003 at two other shops: many_places"

# the demo's unit 1002 was sold at the shop's place while custody, having
# no shipment to the shop, names the distributor before the consumer
"$Y" import --db "$db" data/demo/supply-chain.jsonld >/dev/null || bad "import the demo supply chain"
v=$(scan "(01)06901234000016(21)1002" place=6909999000104)
hasnt "$v" scanned_elsewhere "a sold unit scanned at the place it was sold at is not elsewhere"
v=$(scan "(01)06901234000016(21)1002" "" "$TD")
hasnt "$v" scanned_elsewhere "nor at the holder before the sale"
hasnt "$v" many_places "nor are the two of them many places (seller by place, seller by custody)"

# ---- bad places ----------------------------------------------------------------
bad_place() { # bad_place PLACE WANT WHAT
    st=$(curl -s -o "$T/b" -w '%{http_code}' -G --data-urlencode "code=$U1" \
        --data-urlencode "place=$1" "$base/api/v1/scan")
    is "$st" 400 "$3: 400"
    has "$(cat "$T/b")" "$2" "$3: says why"
}
before=$(rows $U1C)
bad_place "(01)06901234000016" '"detail":"place: https://id.gs1.org/01/06901234000016 is not a place' "a product code as place"
bad_place 6909999000105 '"detail":"place: AI (414): check digit is 5, expected 4 (at character 13)","position":13' "a GLN with a wrong check digit"
bad_place "" '"detail":"place: empty' "an empty place"
bad_place "91440300MA5F000000" '"detail":"place: USCC: check character' "a bad USCC"
is "$(rows $U1C)" "$before" "nothing kept by refused scans"
st=$(curl -s -o "$T/b" -w '%{http_code}' -H 'Authorization: Bearer ymt_000000000000_00000000000000000000000000000000' \
    "$base/01/06901234000016/21/7001")
is "$st" 401 "a bad token on a scan is 401"
st=$(curl -s -o "$T/b" -w '%{http_code}' -H 'Accept: application/json' \
    "$base/01/06901234000016/21/7001?place=6909999000105")
is "$st" 400 "a Digital Link path with a bad place: 400"

# ---- the cache -------------------------------------------------------------------
for k in 1 2 3 4; do v=$(scan "$U5"); done
has "$v" '"verdict":"verified"' "unit 7005 verified, scanned again and again (cached)"
a=$(curl -s "$base/01/06901234000016/21/7005")
has "$a" '已核验' "the HTML page says verified"
v=$(curl -s -H 'Accept: application/json' "$base/01/06901234000016/21/7005?place=6908888000102")
has "$v" '"code":"scanned_elsewhere"' "a placed scan on a Digital Link path at another shop: elsewhere"
for k in 1 2 3 4; do
    has "$(scan "$U5")" '"code":"scanned_elsewhere"' "no stale cached verdict after the placed scan ($k)"
done
has "$(curl -s "$base/01/06901234000016/21/7005")" '请注意' "nor a stale HTML page"

# ---- recall scopes ------------------------------------------------------------------
recall() { # recall SCOPE ACTION
    post "$TR" /api/v1/recalls "{\"scope\":\"$1\",\"action\":\"$2\",\"reason\":\"绝缘层厚度不合格\"}"
}
hasnt "$(scan "$V1")" recalled "the other producer's unit: not recalled yet"
is "$(recall urn:epc:id:sscc:6901234.0000000020 recall)" 201 "a regulator recalls the pallet"
v=$(scan "$U1")
has "$v" '"status":"recalled"' "a unit packed on the pallet is recalled"
has "$v" '"code":"recalled"' "with the reason"
has "$(scan "$U5")" '"status":"recalled"' "and another"
hasnt "$(scan "$U3")" '"status":"recalled"' "a unit never on the pallet is not"
is "$(recall $P2 warning)" 201 "a warning about the other producer"
hasnt "$(scan "$V1")" recalled "a warning recalls nothing"
is "$(recall $P2 removal)" 201 "a removal of the other producer's products"
v=$(scan "$V1")
has "$v" '"status":"recalled"' "the producer's unit is recalled"
has "$v" '"code":"recalled"' "with the reason"
hasnt "$(scan "$U3")" '"status":"recalled"' "another producer's unit is not"

echo "1..$n"
[ "$fails" -eq 0 ]
