#!/bin/bash
# The reference server under many tills at once (bench/load_tills.c): TILLS simulated tills
# (default 200), each from a loopback address of its own, pull catalog and stock and push
# batches of orders at the same time, with retries and repeated batches; afterwards the
# server's database must hold every order exactly once (0 lost, 0 duplicated).
#   LOAD_TILLS, LOAD_ROUNDS (default 10), LOAD_BATCH (default 20): the size;
#   LOAD_SERVER: the server binary (default build/till-server; tests use the ASan one);
#   LOAD_FAULTS: faults the server injects (default close_after_commit=3%,5xx=2%: answers
#   lost after the commit, and refusals, so that retries and duplicates happen);
#   LOAD_JSONL=1: the figures go to build/bench/results.jsonl (make bench).
cd "$(dirname "$0")/.." || exit 1
TILLS=${LOAD_TILLS:-200}
ROUNDS=${LOAD_ROUNDS:-10}
BATCH=${LOAD_BATCH:-20}
SERVER=${LOAD_SERVER:-build/till-server}
FAULTS=${LOAD_FAULTS-close_after_commit=3%,5xx=2%}
D=$(mktemp -d "${TMPDIR:-/tmp}/till-load.XXXXXX") || exit 1
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill $SERVER_PID 2>/dev/null; rm -rf "$D"' EXIT
"$SERVER" --db "$D/store.db" import assets/demo-catalog.csv > /dev/null || exit 1
SKU=$(sed -n 2p assets/demo-catalog.csv | cut -d, -f1); PRICE=$(sed -n 2p assets/demo-catalog.csv | cut -d, -f4)
for i in $(seq "$TILLS"); do
    echo "L$i $("$SERVER" --db "$D/store.db" token create "L$i")" || exit 1
done > "$D/tokens"
# the per-address limit stays at its default: each till comes from its own address
"$SERVER" --db "$D/store.db" serve --port 0 ${FAULTS:+--faults "$FAULTS"} > "$D/server.out" 2> "$D/server.err" &
SERVER_PID=$!
for _ in $(seq 200); do grep -q listening "$D/server.out" && break; sleep 0.05; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$D/server.out")
[ -n "$PORT" ] || { echo "the server did not start"; cat "$D/server.err"; exit 1; }
echo "load: $TILLS tills x $ROUNDS rounds x $BATCH orders against $SERVER${FAULTS:+ (faults $FAULTS)}; $(uptime | sed 's/.*load/load/')"
build/bench/load_tills "http://127.0.0.1:$PORT" "$D/tokens" "$TILLS" "$ROUNDS" "$BATCH" "$SKU" "$PRICE" | tee "$D/out"
rc=${PIPESTATUS[0]}
kill $SERVER_PID; wait $SERVER_PID 2>/dev/null; SERVER_PID=""
want=$(( TILLS * ROUNDS * BATCH ))
got=$(sqlite3 "$D/store.db" "SELECT count(*) FROM orders")
keys=$(sqlite3 "$D/store.db" "SELECT count(DISTINCT idempotency_key) FROM orders")
ours=$(sqlite3 "$D/store.db" "SELECT count(*) FROM orders WHERE idempotency_key GLOB 'L*:r*-o*'")
lines=$(sqlite3 "$D/store.db" "SELECT count(*) FROM order_lines")
lost=$(( want - keys )); dup=$(( got - keys ))
echo "server database: $got orders, $keys distinct keys, $lines lines; expected $want: $lost lost, $dup duplicated"
if [ "${LOAD_JSONL:-}" = 1 ]; then
    rps=$(sed -n 's/.*: \([0-9]*\) requests\/s.*/\1/p' "$D/out"); ops=$(sed -n 's/.*requests\/s, \([0-9]*\) orders accepted\/s.*/\1/p' "$D/out")
    p50=$(sed -n 's/^POST \/v1\/orders latency.*p50 \([0-9.]*\) ms.*/\1/p' "$D/out"); p99=$(sed -n 's/^POST \/v1\/orders latency.*p99 \([0-9.]*\) ms.*/\1/p' "$D/out")
    for kv in "load${TILLS}_requests_per_s $rps req/s" "load${TILLS}_orders_per_s $ops orders/s" \
              "load${TILLS}_order_batch_p50_ms $p50 ms" "load${TILLS}_order_batch_p99_ms $p99 ms" \
              "load${TILLS}_orders_lost $lost orders 0" "load${TILLS}_orders_duplicated $dup orders 0"; do
        set -- $kv
        printf '{"name":"%s","value":%s,"unit":"%s"%s}\n' "$1" "${2:-null}" "$3" "${4:+,\"goal\":$4}" >> build/bench/results.jsonl
    done
fi
[ "$rc" = 0 ] && [ "$got" = "$want" ] && [ "$keys" = "$want" ] && [ "$ours" = "$want" ] || { echo "FAIL"; exit 1; }
echo "PASS: every order exactly once"
