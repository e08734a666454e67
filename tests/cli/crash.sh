#!/bin/sh
# tests/cli/crash.sh - an acknowledged event survives kill -9 of the writer.
#
# 24 times: start an import of four files of 2,000 new events each with
# --acks (each file is one transaction; its events are printed only once it
# is durable), kill -9 it at a random moment (after a random number of its
# four files were acknowledged, plus a random few milliseconds),
# then check that `ledger verify` passes and every acknowledged event is in
# the store. A kill may land before the first commit, between batches, in
# the middle of one, or after the last: all must leave an intact ledger.
set -u
Y=${YIMA:-build/yima}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. tests/tools/tap.sh

db=$T/c.db
"$Y" init --db "$db" >/dev/null || { echo "not ok 1 - init"; exit 1; }
killed_mid=0
for round in $(seq 1 24); do
    for f in 1 2 3 4; do
        tests/tools/gen-events 2000 "r$round-$f" > "$T/in$f.ndjson"
    done
    "$Y" import --db "$db" --acks "$T/in1.ndjson" "$T/in2.ndjson" \
        "$T/in3.ndjson" "$T/in4.ndjson" > "$T/acks" 2>/dev/null &
    pid=$!
    # kill after 0..3 acknowledged files (of 4) and a further 0..29 ms:
    # before the first commit, between commits or in the middle of one
    r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    batches=$((r % 4))
    ms=$(((r / 4) % 30))
    while [ "$(grep -c '^ack ' "$T/acks")" -lt $((batches * 2000)) ] &&
        kill -0 "$pid" 2>/dev/null; do
        sleep 0.005
    done
    sleep "$(printf '0.%03d' "$ms")"
    if kill -9 "$pid" 2>/dev/null; then
        killed_mid=$((killed_mid + 1))
    fi
    wait "$pid" 2>/dev/null
    if ! msg=$("$Y" ledger verify --db "$db" 2>&1); then
        bad "round $round (kill after $batches files + ${ms} ms): ledger verify: $msg"
        continue
    fi
    # only whole lines count: a kill while the acks are being printed can
    # cut the last one short (what was printed of it was acknowledged, but
    # a cut ID can't be looked up)
    grep -E '^ack [0-9]+ ni:///sha-256;[0-9a-f]{64}[?]ver=CBV2[.]0$' "$T/acks" |
        cut -d' ' -f3 | sort > "$T/acked"
    "$Y" events --db "$db" | sed -n 's/.*"eventID":"\([^"]*\)".*/\1/p' |
        sort > "$T/stored"
    lost=$(comm -23 "$T/acked" "$T/stored" | wc -l)
    acked=$(wc -l < "$T/acked")
    if [ "$lost" -eq 0 ]; then
        ok "round $round (kill after $batches files + ${ms} ms): ledger intact, all $acked acknowledged events present"
    else
        bad "round $round: $lost of $acked acknowledged events lost, e.g. $(comm -23 "$T/acked" "$T/stored" | head -n 2 | tr '\n' ' ')"
    fi
done
# the kills must have hit running imports, or the test proved nothing
[ "$killed_mid" -ge 18 ] && ok "$killed_mid of 24 kills hit a running import" ||
    bad "only $killed_mid of 24 kills hit a running import"
echo "1..$n"
[ "$fails" -eq 0 ]
