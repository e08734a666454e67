# tests/tools/server.sh - sourced by the end-to-end tests that drive the
# real server: start_server DB [ARGS...] starts `$Y serve` on 127.0.0.1 with
# a free port (port 0) and the extra ARGS, waits for its "listening" line,
# and sets $pid (stopped at exit, see below) and $base
# (http://127.0.0.1:PORT). Its output goes to $T/out and $T/err. Returns 1,
# with the server's own words in $T/err, when it does not start within 10 s.
start_server() {
    db_=$1
    shift
    "$Y" serve --db "$db_" --listen 127.0.0.1:0 "$@" >"$T/out" 2>"$T/err" &
    pid=$!
    i_=0
    until grep -q listening "$T/out" 2>/dev/null; do
        i_=$((i_ + 1))
        if [ $i_ -gt 200 ] || ! kill -0 $pid 2>/dev/null; then
            return 1
        fi
        sleep 0.05
    done
    base="http://$(sed -n 's/.*"listening":"\([^"]*\)".*/\1/p' "$T/out")"
}

# Every test that sources this file gets a scratch folder $T and, at exit,
# the server ($pid) and any other process it adds to $pids stopped and $T
# removed.
T=$(mktemp -d)
pid=""
pids=""
server_cleanup_() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    for p_ in $pids; do kill "$p_" 2>/dev/null; done
    rm -rf "$T"
}
trap server_cleanup_ EXIT
# forget PID: no longer ours to stop at exit (so the cleanup never signals
# a process that has reused its number); stop PID: end it, then forget it
forget() {
    pids=$(echo " $pids " | sed "s/ $1 / /")
    [ "$pid" = "$1" ] && pid=""
    return 0
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; forget "$1"; }
