#!/bin/sh
# tests/cli/recall.sh - risk and recall on the real server (yima/risk.h,
# src/server/h_risk.c) over the demo data: a failing spot check opens a
# risk case, an incident report counts towards it, a recall of the batch
# snapshots the same holders as `yima trace --forward`, the scan view of a
# unit then says recalled, holders record returns and the progress shows
# them; wrong callers get 401/403 and bad bodies 400 with nothing stored.
set -u
Y=${YIMA:-build/yima}
. tests/tools/server.sh
. tests/tools/tap.sh

db=$T/d.db
"$Y" init --db "$db" >/dev/null
"$Y" import --db "$db" data/demo/master.csv data/demo/supply-chain.jsonld >/dev/null
R=11350100MB01234578
P=91350100MA2XYW011J
S=91110105MA0AB12366
"$Y" party add --db "$db" --uscc $R --name 市场监督管理局 --role regulator >/dev/null
"$Y" party add --db "$db" --uscc 91330100MA2AB123X7 --name 杭州某电器有限公司 --role producer --gcp 6912345 >/dev/null
tok() { "$Y" token create --db "$db" --party "$1" --role "$2" | tail -n 1; }
TR=$(tok $R regulator)
TP=$(tok $P producer)
TS=$(tok $S seller)
TP2=$(tok 91330100MA2AB123X7 producer)
batch="(01)06901234000016(10)L20260301"
batch_dl="https://id.gs1.org/01/06901234000016/10/L20260301"
cli=$("$Y" trace --db "$db" "$batch" --forward)

start_server "$db" || { bad "the server did not start: $(cat "$T/err")"; exit 1; }
# call METHOD PATH TOKEN [BODY]: "STATUS BODY"
call() {
    set -- "$1" "$2" "$3" "${4-}"
    if [ "$3" = - ]; then
        curl -s -o "$T/b" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
            ${4:+--data-binary "$4"} "$base$2"
    else
        curl -s -o "$T/b" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
            -H "Authorization: Bearer $3" ${4:+--data-binary "$4"} "$base$2"
    fi
    printf ' '
    cat "$T/b"
}
# a webhook receiver on 127.0.0.1: keeps each POST body, answers 204
python3 - "$T" >"$T/hook.port" 2>"$T/hook.err" <<'PY' &
import http.server, sys
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        with open(d + "/hook.body", "ab") as f:
            f.write(self.rfile.read(n) + b"\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
pids="$pids $!"
i=0
until [ -s "$T/hook.port" ] || [ $i -gt 200 ]; do i=$((i + 1)); sleep 0.05; done
hport=$(cat "$T/hook.port")
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
insp_get="/api/v1/inspections?batch=%2801%2906901234000016%2810%29L20260301"

# ---- inspections ------------------------------------------------------------
good='{"batch":"(01)06901234000016(10)L20260301","verdict":"fail","samples":5,"standard":"GB 5023.1-2008","failed_items":["导体电阻"],"laboratory":"福建省产品质量检验研究院","date":"2026-03-10T09:00:00+08:00"}'
out=$(call POST /api/v1/inspections - "$good")
has "$out" "401 " "inspection: no token is 401"
out=$(call POST /api/v1/inspections "$TS" "$good")
has "$out" "403 " "inspection: a seller is 403"
out=$(call POST /api/v1/inspections "$TR" '{"batch":"(01)06901234000016(10)L20260301","verdict":"fail","samples":0,"standard":"GB","failed_items":["x"],"laboratory":"L","date":"2026-03-10T09:00:00+08:00"}')
has "$out" "400 " "inspection: samples 0 is 400"
has "$out" "samples: must be a whole number" "and says which field"
out=$(call POST /api/v1/inspections "$TR" '{"batch":"(01)06901234000016(21)1001","verdict":"pass","samples":1,"standard":"GB","laboratory":"L","date":"2026-03-10T09:00:00+08:00"}')
has "$out" "is not a batch code" "inspection: a unit code is not a batch"
out=$(call POST /api/v1/inspections "$TR" '{"batch":"(01)06901234000016(10)L20260301","verdict":"maybe","samples":1,"standard":"GB","laboratory":"L","date":"2026-03-10T09:00:00+08:00"}')
has "$out" "verdict: 'maybe' is not one of pass, fail" "inspection: a bad verdict"
out=$(call POST /api/v1/inspections "$TR" '{"batch":"(01)06901234000016(10)L20260301","verdict":"pass","samples":1,"standard":"GB","laboratory":"L","date":"yesterday"}')
has "$out" "date: 'yesterday' is not an RFC 3339" "inspection: a bad date"
out=$(call POST /api/v1/inspections "$TR" '{"batch": ')
has "$out" "400 " "inspection: broken JSON is 400"
has "$out" "line 1" "and says where"
out=$(call GET "$insp_get" "$TR")
[ "$out" = "200 []" ] && ok "inspection: nothing stored by the refused bodies" || bad "inspections: $out"
out=$(call GET /api/v1/risks "$TR")
[ "$out" = "200 []" ] && ok "risks: no case yet" || bad "risks: $out"

out=$(call POST /api/v1/inspections "$TR" "$good")
has "$out" '201 {"id":' "inspection: a regulator records a failing result"
has "$out" "\"batch\":\"$batch_dl\",\"verdict\":\"fail\",\"samples\":5" "inspection: stored with the canonical batch"
out=$(call GET "$insp_get" "$TP")
has "$out" '200 [{"id":' "inspection: the batch's producer reads its own"
has "$out" '"failed_items":["导体电阻"]' "inspection: with the failed items"
out=$(call GET "$insp_get" "$TP2")
has "$out" "403 " "inspection: another producer may not read them"
out=$(call GET "$insp_get" "$TS")
has "$out" "403 " "inspection: a seller may not read them"

# ---- risk cases and reports -------------------------------------------------
out=$(call GET /api/v1/risks "$TR")
has "$out" "\"batch\":\"$batch_dl\"" "risks: the failing inspection opened a case"
has "$out" '"opened_by":"inspection","failed_inspections":1' "risks: counts the failed inspection"
has "$out" '"severity":3,"exposure":4,"grade":"medium","action":"removal"' "risks: graded medium, removal"
out=$(call GET /api/v1/risks "$TS")
has "$out" "403 " "risks: a seller is 403"
out=$(call GET /api/v1/risks -)
has "$out" "401 " "risks: the public is 401"

out=$(call POST /api/v1/reports - '{"code":"(01)06901234000016(21)1001","kind":"burn","description":"x"}')
has "$out" "kind: 'burn' is not one of" "report: a bad kind is 400"
out=$(call POST /api/v1/reports - '{"code":"(01)06901234000016(21)9","kind":"injury","description":"x"}')
has "$out" "404 " "report: a code no event names is 404"
out=$(call POST /api/v1/reports - '{"code":"(01)06901234000016(21)1001","kind":"injury"}')
has "$out" "description: missing" "report: a missing description is 400"
out=$(call POST /api/v1/reports - '{"code":"(01)06901234000016(21)1001","kind":"injury","description":"电线发热烫伤"}')
has "$out" '201 {"id":' "report: anyone may report, no token"
has "$out" "\"batch\":\"$batch_dl\",\"kind\":\"injury\"" "report: the unit's batch found from its commissioning"
out=$(call GET /api/v1/risks "$TR")
has "$out" '"reports":{"injury":1,"fire":0,"defect":0,"other":0},"severity":6' "risks: the report counts"
has "$out" '"grade":"high","action":"recall"' "risks: graded high, recall"

# ---- recall ------------------------------------------------------------------
out=$(call POST /api/v1/subscriptions "$TS" "{\"url\":\"http://127.0.0.1:$closed/hook\"}")
has "$out" "201 " "subscription: a seller subscribes"
out=$(call POST /api/v1/subscriptions "$TP" "{\"url\":\"http://127.0.0.1:$hport/recalls\"}")
has "$out" "201 " "subscription: the producer subscribes"
out=$(call POST /api/v1/subscriptions "$TR" '{"url":"http://127.0.0.1:1/x"}')
has "$out" "403 " "subscription: a regulator holds nothing to be told of"
out=$(call POST /api/v1/subscriptions "$TS" '{"url":"ftp://x"}')
has "$out" "url: 'ftp://x' is not an http" "subscription: a bad url is 400"
out=$(call GET "/01/06901234000016/21/1001?format=json" -)
hasnt "$out" '"status":"recalled"' "scan: not recalled before the recall"
rbody='{"scope":"(01)06901234000016(10)L20260301","action":"recall","reason":"导体电阻不合格"}'
out=$(call POST /api/v1/recalls "$TS" "$rbody")
has "$out" "403 " "recall: a seller is 403"
out=$(call POST /api/v1/recalls - "$rbody")
has "$out" "401 " "recall: the public is 401"
out=$(call POST /api/v1/recalls "$TR" '{"scope":"(01)06901234000016(10)L20260301","action":"destroy","reason":"x"}')
has "$out" "action: 'destroy' is not one of warning, removal, recall" "recall: a bad action is 400"
out=$(call POST /api/v1/recalls "$TR" '{"scope":"(01)06901234000016(10)L20260301","action":"recall"}')
has "$out" "reason: missing" "recall: a missing reason is 400"
out=$(sqlite3 "$db" "SELECT count(*) FROM risk_records WHERE kind IN ('recall', 'return')")
[ "$out" = 0 ] && ok "recall: nothing stored by the refused bodies" || bad "recall rows: $out"
out=$(call POST /api/v1/recalls "$TR" "$rbody")
has "$out" '201 {"id":' "recall: a regulator orders it"
id=$(printf '%s' "$out" | sed -n 's/^201 {"id":\([0-9]*\),.*/\1/p')
snap=$(printf '%s' "$cli" | sed 's/.*\("holders":.*"unaccounted":[0-9]*\).*/\1/')
has "$out" "$snap" "recall: holders and consumers as yima trace --forward"
has "$out" "\"notified\":[\"$S\",\"$P\"]" "recall: the subscribed holders are notified"
body=$(cat "$T/hook.body" 2>/dev/null)
has "$body" "{\"event\":\"recall\",\"notification\":" "webhook: the producer's receiver got the recall"
has "$body" "\"action\":\"recall\",\"reason\":\"导体电阻不合格\",\"party\":\"$P\",\"holds\":{\"party\":\"$P\",\"quantity\":3000,\"uom\":\"MTR\"}" "webhook: with what it holds"
out=$(call GET "/01/06901234000016/21/1001?format=json" -)
has "$out" '"status":"recalled"' "scan: the unit now shows the recall"
has "$out" '"code":"recalled"' "scan: with the reason"

out=$(call POST /api/v1/recalls/$id/returns "$TS" '{"units":5}')
has "$out" "is more than the 2" "returns: more than held is 400"
out=$(call POST /api/v1/recalls/$id/returns "$TS" '{"units":"one"}')
has "$out" "units: must be a whole number" "returns: a bad count is 400"
out=$(call POST /api/v1/recalls/$id/returns "$TP2" '{"units":1}')
has "$out" "403 " "returns: a party not in the snapshot is 403"
out=$(call POST /api/v1/recalls/$id/returns - '{"units":1}')
has "$out" "401 " "returns: the public is 401"
out=$(call POST /api/v1/recalls/$id/returns "$TS" '{"units":1}')
has "$out" "201 " "returns: the holder records a return"
out=$(call POST /api/v1/recalls/$id/returns "$TP" '{"quantity":1000}')
has "$out" "201 " "returns: the producer returns cable by quantity"
out=$(sqlite3 "$db" "SELECT count(*) FROM risk_records WHERE kind = 'return'")
[ "$out" = 2 ] && ok "returns: only the two accepted are stored" || bad "return rows: $out"
out=$(call GET /api/v1/recalls/$id "$TR")
has "$out" '"progress":{"held":2,"returned":1,"holders":[' "progress: totals of units"
has "$out" "{\"party\":\"$S\",\"held\":2,\"returned\":1,\"outstanding\":1," "progress: returned vs held per holder"
has "$out" "{\"party\":\"$P\",\"uom\":\"MTR\",\"held\":3000,\"returned\":1000,\"outstanding\":2000," "progress: by quantity"
# each subscribed holder's entry also says how its notice fares
has "$out" "\"outstanding\":1,\"notice\":{\"status\":\"pending\",\"attempts\":1,\"delivered_at\":null,\"last_error\":\"connect: Connection refused\"}}" "progress: the holder's notice, not delivered yet"
has "$out" "\"outstanding\":2000,\"notice\":{\"status\":\"delivered\",\"attempts\":1,\"delivered_at\":\"20" "progress: the holder's notice, delivered"
has "$out" "\"party\":\"$S\",\"url\":\"http://127.0.0.1:$closed/hook\",\"status\":\"pending\",\"attempts\":1,\"next_attempt\":" "webhook: a failed delivery waits for its retry"
has "$out" '"last_error":"connect: Connection refused"' "webhook: and says why it failed"
has "$out" "\"party\":\"$P\",\"url\":\"http://127.0.0.1:$hport/recalls\",\"status\":\"delivered\",\"attempts\":1" "webhook: the delivered one is not sent again"
n_body=$(wc -l <"$T/hook.body")
[ "$n_body" = 1 ] && ok "webhook: delivered once" || bad "webhook: $n_body deliveries"
out=$(call GET /api/v1/recalls/$id "$TS")
has "$out" "200 " "recall: a holder reads it"
out=$(call GET /api/v1/recalls/$id "$TP2")
has "$out" "403 " "recall: another party may not"
out=$(call GET /api/v1/recalls/x "$TR")
has "$out" "400 " "recall: a bad id is 400"
out=$(call GET /api/v1/recalls/999 "$TR")
has "$out" "404 " "recall: an unknown id is 404"

echo "1..$n"
[ $fails -eq 0 ]
