# tests/tools/tap.sh - sourced by every end-to-end test: TAP-like lines
# ("ok N - what", "not ok N - what: why") and the checks that print them.
# $n counts the checks, $fails the failures; a test ends with
# [ "$fails" -eq 0 ] so its exit status says whether all held.
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
# is GOT WANT WHAT: equal strings
is() { [ "$1" = "$2" ] && ok "$3" || bad "$3: got '$1', expected '$2'"; }
# has TEXT PART WHAT / hasnt TEXT PART WHAT: PART is (not) in TEXT
has() { case "$1" in *"$2"*) ok "$3" ;; *) bad "$3: '$2' not in: $1" ;; esac; }
hasnt() { case "$1" in *"$2"*) bad "$3: '$2' found in: $1" ;; *) ok "$3" ;; esac; }
# check WHAT COMMAND...: the command succeeds
check() {
    what_=$1
    shift
    if "$@" >/dev/null 2>&1; then ok "$what_"; else bad "$what_"; fi
}
