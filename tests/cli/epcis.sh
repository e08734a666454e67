#!/bin/sh
# tests/cli/epcis.sh - `yima epcis hash` end to end against the CBV 2.0
# event-hash vectors in tests/data/event-hash/.
set -u
Y=${YIMA:-build/yima}
D=tests/data/event-hash
. tests/tools/tap.sh

for want in "$D"/*.hashes; do
    doc=${want%.hashes}.jsonld
    name=$(basename "$doc")
    if "$Y" epcis hash "$doc" | cmp -s - "$want"; then
        ok "hash IDs of $name"
    else
        bad "hash IDs of $name"
    fi
done
# --prehash on a document whose vector file is right line by line
doc=$D/ReferenceEventHashAlgorithm3.jsonld
if "$Y" epcis hash --prehash "$doc" | cmp -s - "${doc%.jsonld}.prehashes"; then
    ok "--prehash prints the canonical pre-hash strings"
else
    bad "--prehash prints the canonical pre-hash strings"
fi
# standard input, and a bad document named with its file
if "$Y" epcis hash - < "$doc" | cmp -s - "${doc%.jsonld}.hashes"; then
    ok "reads standard input"
else
    bad "reads standard input"
fi
err=$(printf '{"type":"EPCISDocument",' | "$Y" epcis hash - 2>&1 >/dev/null)
st=$?
case "$err" in
*"yima: -: position"*) [ $st -eq 1 ] && ok "truncated JSON: exit 1 with a position" || bad "truncated JSON exit $st" ;;
*) bad "truncated JSON message: $err" ;;
esac
"$Y" epcis hash >/dev/null 2>&1
[ $? -eq 2 ] && ok "no file is a usage error" || bad "no file is a usage error"
echo "1..$n"
[ "$fails" -eq 0 ]
