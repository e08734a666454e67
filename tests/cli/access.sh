#!/bin/sh
# tests/cli/access.sh - parties, products and API tokens from the command
# line: party add, product add, token create / revoke, and their errors.
set -u
Y=${YIMA:-build/yima}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/tools/tap.sh
status() { # status WANT WHAT: the last command's exit status
    if [ "$st" -eq "$1" ]; then ok "$2"; else bad "$2: exit $st, wanted $1"; fi
}

db=$T/a.db
"$Y" init --db "$db" >/dev/null || { echo "not ok 1 - init"; exit 1; }
P=91350100MA2XYW011J
R=11100000000013127D

out=$("$Y" party add --db "$db" --uscc $P --name "福州闽江电缆有限公司" \
    --role producer,seller --region 350100 --gcp 6901234 --gcp 6901235 2>&1)
st=$?
status 0 "party add"
has "$out" '"uscc":"urn:yima:uscc:91350100MA2XYW011J"' "party stored in canonical form"
has "$out" '"roles":["producer","seller"]' "roles split on commas"
has "$out" '"gcp":["6901234","6901235"]' "--gcp repeats"

out=$("$Y" party add --db "$db" --uscc 91350100MA2XYW011X --name x --role producer 2>&1)
st=$?
status 1 "party with a bad USCC refused"
has "$out" "check character is X, expected J" "the USCC error says what is wrong"
out=$("$Y" party add --db "$db" --uscc $P --name x --role king 2>&1)
st=$?
status 2 "unknown role is a usage error"
has "$out" "role 'king' is not one of producer, seller, regulator, auditor" "the role error lists the roles"
out=$("$Y" party add --db "$db" --uscc $P 2>&1)
st=$?
status 2 "party add without --name and --role"

out=$("$Y" product add --db "$db" --producer $P --gtin 06901234000016 \
    --name "BV 2.5mm² 电线" --category wire-cable --model "BV 2.5mm²" \
    --standard "GB/T 5023.3-2008" 2>&1)
st=$?
status 0 "product add"
has "$out" '"code":"https://id.gs1.org/01/06901234000016"' "product keyed by its GTIN's canonical code"
has "$out" '"standard":"GB/T 5023.3-2008"' "executive standard kept"
out=$("$Y" product add --db "$db" --producer $P --gtin 06901234000017 \
    --name x --category wire-cable 2>&1)
st=$?
status 1 "a GTIN with a wrong check digit refused"
out=$("$Y" product add --db "$db" --producer 91110105MA0AB12366 \
    --gtin 06901234000016 --name x --category wire-cable 2>&1)
st=$?
status 1 "a product of an unknown producer refused"

out=$("$Y" token create --db "$db" --party $P --role producer 2>&1)
st=$?
status 0 "token create"
tok=$(echo "$out" | tail -n 1)
case "$tok" in
ymt_????????????_????????????????????????????????) ok "the token is the last line" ;;
*) bad "token line: $tok" ;;
esac
id=$(echo "$out" | head -n 1 | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
[ ${#id} -eq 12 ] && ok "token id printed" || bad "token id: $out"
secret=${tok#ymt_????????????_}
if sqlite3 "$db" "SELECT hex(hash), id, party, role FROM tokens" | grep -q -i "$secret"; then
    bad "the token's secret is in the store"
else
    ok "the store keeps only a hash of the token"
fi
out=$("$Y" token create --db "$db" --party $P --role regulator 2>&1)
st=$?
status 1 "a token for a role the party lacks is refused"
has "$out" "does not have the role regulator" "and says why"
"$Y" party add --db "$db" --uscc $R --name "市场监督管理局" --role regulator >/dev/null
out=$("$Y" token create --db "$db" --party $R --role regulator 2>&1)
st=$?
status 0 "a regulator's token"

out=$("$Y" token revoke --db "$db" "$id" 2>&1)
st=$?
status 0 "token revoke by id"
revoked=$(sqlite3 "$db" "SELECT revoked IS NOT NULL FROM tokens WHERE id = '$id'")
[ "$revoked" = 1 ] && ok "revocation recorded" || bad "revoked column: $revoked"
out=$("$Y" token revoke --db "$db" "$tok" 2>&1)
st=$?
status 1 "revoking twice is an error"
has "$out" "already revoked" "and says so"
out=$("$Y" token revoke --db "$db" nonsense 2>&1)
st=$?
status 1 "revoking a non-token"

echo "1..$n"
[ "$fails" -eq 0 ]
