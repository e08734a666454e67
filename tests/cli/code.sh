#!/bin/sh
# tests/cli/code.sh - `yima code` end to end: the CLI contract scripts and
# integrations rely on (JSON lines in order, exit codes 0/1/2).
# Prints "ok N - what" or "not ok N - what" per check.
set -u
Y=${YIMA:-build/yima}
. tests/tools/tap.sh
# expect_exit CODE WHAT CMD...
expect_exit() {
    want=$1 what=$2; shift 2
    "$@" >/dev/null 2>&1; got=$?
    [ "$got" -eq "$want" ] && ok "$what (exit $want)" || bad "$what: exit $got, want $want"
}
# expect_line OUTPUT_LINE SUBSTRING WHAT
expect_in() {
    case "$1" in *"$2"*) ok "$3" ;; *) bad "$3: '$2' not in: $1" ;; esac
}

out=$("$Y" code parse "(01)09506000134352(10)ABC(21)XYZ")
expect_in "$out" '{"input":"(01)09506000134352(10)ABC(21)XYZ","valid":true,"scheme":"gs1","canonical":"https://id.gs1.org/01/09506000134352/21/XYZ",' "element string: input, valid, scheme, canonical first"
expect_in "$out" '"ais":{"01":"09506000134352","10":"ABC","21":"XYZ"}' "element string: ais object"
expect_in "$out" '"gtin":"09506000134352","lot":"ABC","serial":"XYZ"' "element string: gtin, lot, serial"
expect_in "$out" '"element_string":"(01)09506000134352(10)ABC(21)XYZ"' "element string rendered back"

out=$("$Y" code parse "(01)09506000134353")
expect_in "$out" '"valid":false' "bad check digit is invalid"
expect_in "$out" '"error":"AI (01): check digit is 3, expected 2"' "bad check digit names AI and digits"
expect_exit 1 "an invalid code" "$Y" code parse "(01)09506000134353"
expect_exit 1 "one invalid among valid" "$Y" code parse 09506000134352 "(01)09506000134353"
expect_exit 0 "all valid" "$Y" code parse 09506000134352 9506000134352

lines=$("$Y" code parse 09506000134352 nonsense 95012346 | wc -l)
[ "$lines" -eq 3 ] && ok "one line per code" || bad "one line per code: got $lines"
first=$("$Y" code parse 95012346 09506000134352 | head -n 1)
expect_in "$first" '"input":"95012346"' "lines come in input order"

out=$("$Y" code parse --gcp-length 7 "(01)80614141123458(21)6789")
expect_in "$out" '"epc_urn":"urn:epc:id:sgtin:0614141.812345.6789"' "--gcp-length gives the EPC URN"
out=$("$Y" code parse "(01)80614141123458(21)6789")
case "$out" in *epc_urn*) bad "no EPC URN without prefix length" ;; *) ok "no EPC URN without prefix length" ;; esac
out=$("$Y" code parse -- "urn:epc:id:sgtin:0614141.812345.6789")
expect_in "$out" '"canonical":"https://id.gs1.org/01/80614141123458/21/6789"' "EPC URN in, Digital Link out"

out=$(printf '09506000134352\n(00)106141411234567897\n' | "$Y" code parse)
expect_in "$out" '"sscc":"106141411234567897"' "codes from standard input"

out=$("$Y" code parse " ０９５０６０００１３４３５２ ")
expect_in "$out" '"canonical":"https://id.gs1.org/01/09506000134352"' "full-width digits and spaces normalised"

out=$("$Y" code parse 91350100M000100Y43)
expect_in "$out" '"scheme":"uscc","canonical":"urn:yima:uscc:91350100M000100Y43"' "USCC canonical"
expect_in "$out" '"region":"350100"' "USCC region"
out=$("$Y" code parse 2021011104123456)
expect_in "$out" '"year":"2021","body":"01","category":"1104","serial":"123456"' "CCC parts"

expect_exit 2 "no subcommand" "$Y" code
expect_exit 2 "unknown option" "$Y" code parse --bogus x
expect_exit 2 "bad --gcp-length" "$Y" code parse --gcp-length 99 x
expect_exit 2 "unknown command" "$Y" frobnicate
expect_exit 2 "issue without --count" "$Y" code issue --producer 91350100M000100Y43
expect_exit 2 "issue with a bad producer" "$Y" code issue --producer 91350100M000100Y44 --count 1

codes=$("$Y" code issue --producer 91350100M000100Y43 --count 50)
c=$(echo "$codes" | sort -u | wc -l)
[ "$c" -eq 50 ] && ok "50 issued codes, all different" || bad "issued $c distinct of 50"
# shellcheck disable=SC2086
expect_exit 0 "issued codes parse as valid" "$Y" code parse $codes
out=$("$Y" code parse "$(echo "$codes" | head -n 1)")
expect_in "$out" '"scheme":"dic","canonical":"urn:yima:dic:YM' "issued code is a platform code"

echo "1..$n"
[ "$fails" -eq 0 ]
