#!/bin/bash
# A chain's central store: HAProxy in front of two till-server processes on one
# PostgreSQL.  3 real tills (build/till --sync-now, sales and chained audit rows queued by
# gen_sales) and 40 simulated ones (bench/load_tills.c: pulls, batches, repeated batches)
# sell and drain at once, through the balancer.  Mid-drain one server process is
# SIGKILLed and restarted, then the other, then PostgreSQL itself (pg_ctl restart -m
# immediate).  Afterwards: every order in PostgreSQL exactly once, the stock levels exactly
# what the movements say, one movement per sold line, every till's audit chain intact.
# Before that, the same order sent to both processes at the same moment is stored once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
. "$(dirname "$0")/chain_lib.sh"
t_tmpdir
command -v haproxy > /dev/null || { echo "SKIPPED: haproxy is not installed"; echo "RESULT: 0 passed, 0 failed, 1 skipped"; exit 0; }
chain_pg_start; rc=$?
[ "$rc" -eq 77 ] && { echo "SKIPPED: PostgreSQL is not installed"; echo "RESULT: 0 passed, 0 failed, 1 skipped"; exit 0; }
trap 'chain_pg_stop; t_cleanup' EXIT
check_eq "a PostgreSQL cluster of the test's own starts" 0 "$rc"
[ "$rc" -eq 0 ] || { finish; exit 1; }

REAL=3 SALES=${CHAIN_SALES:-400} SIM=40 ROUNDS=${CHAIN_ROUNDS:-8} BATCH=${CHAIN_BATCH:-25}
mkdir -p "$T_DIR/snapshots"
"$SERVER_BIN" --db "$PG_URL" import "$TILL_ROOT/assets/demo-catalog.csv" > /dev/null
check "the tokens are made" chain_tokens "$PG_URL" L "$SIM" "$T_DIR/tokens"
chain_tokens "$PG_URL" T "$REAL" "$T_DIR/real_tokens"
P1=$(free_port); P2=$(free_port); HP=$(free_port)
# behind a balancer every till comes from the balancer's address
check "server 1 starts" chain_server_start 1 "$PG_URL" "$P1" --max-per-ip 10000
check "server 2 starts" chain_server_start 2 "$PG_URL" "$P2" --max-per-ip 10000
check "HAProxy answers /v1/health through to a server" chain_haproxy_start "$HP" "$P1" "$P2" || { finish; exit 1; }
check "health says the database is reachable" grep -q '"database":"postgresql"' <<< "$(curl -s "http://127.0.0.1:$HP/v1/health")"

# --- the same key at the same moment on both processes ---
tok=$(sed -n 1p "$T_DIR/tokens" | cut -d' ' -f2)
order() { # order KEY
    printf '{"orders":[{"idempotency_key":"%s","terminal_id":"L1","sale_uuid":"u-%s","completed_at":1795583883,"currency":"EUR","total":119,"lines":[{"line_no":1,"sku":"SKU10001","qty":1000,"unit":"each","unit_price":119,"line_total":119,"voided":false}],"payments":[{"tender":"cash","amount":119}]}]}' "$1" "$1"
}
for i in $(seq 20); do
    for p in "$P1" "$P2"; do
        curl -s -H "Authorization: Bearer $tok" -H "Content-Type: application/json" \
            --data "$(order "L1:race-$i")" "http://127.0.0.1:$p/v1/orders" >> "$T_DIR/race.out" &
    done
done
wait $(jobs -p | grep -v -e "$HAPROXY_PID" -e "${SRV_PID[1]}" -e "${SRV_PID[2]}") 2>/dev/null
check_eq "20 keys sent to both processes at once: stored once each" "20 20" \
    "$(pq "SELECT count(*), count(DISTINCT idempotency_key) FROM orders WHERE idempotency_key LIKE 'L1:race-%'" | tr '|' ' ')"
check_eq "one answer accepted and one duplicate for each" "20 20" \
    "$(grep -o '"status":"accepted"' "$T_DIR/race.out" | wc -l) $(grep -o '"status":"duplicate"' "$T_DIR/race.out" | wc -l)"

# --- the drain, with kills ---
for i in $(seq "$REAL"); do
    TILL_GEN_TERMINAL=T$i TILL_GEN_AUDIT=1 "$TILL_ROOT/build/bench/gen_sales" "$T_DIR/till$i.db" "$SALES" \
        || fail "gen_sales for till $i"
    sed -n "${i}p" "$T_DIR/real_tokens" | cut -d' ' -f2 > "$T_DIR/till$i.token"; chmod 600 "$T_DIR/till$i.token"
done
SKU=$(sed -n 2p "$TILL_ROOT/assets/demo-catalog.csv" | cut -d, -f1); PRICE=$(sed -n 2p "$TILL_ROOT/assets/demo-catalog.csv" | cut -d, -f4)
LOAD_BACKOFF_MS=50 "$TILL_ROOT/build/bench/load_tills" "http://127.0.0.1:$HP" "$T_DIR/tokens" "$SIM" "$ROUNDS" "$BATCH" \
    "$SKU" "$PRICE" > "$T_DIR/load.out" 2> "$T_DIR/load.err" &
LOAD_PID=$!
for i in $(seq "$REAL"); do
    "$TILL_BIN" --db "$T_DIR/till$i.db" --set catalog.demo=no --set store.terminal_id="T$i" \
        --set sync.url="http://127.0.0.1:$HP" --set sync.token_file="$T_DIR/till$i.token" \
        --set sync.now_deadline_s=240 --sync-now > "$T_DIR/till$i.out" 2> "$T_DIR/till$i.err" &
    TILL_PID[$i]=$!
done
want=$(( REAL * SALES + SIM * ROUNDS * BATCH + 20 ))
# wait_orders N: until PostgreSQL holds at least N orders (or everything is done)
wait_orders() {
    for _ in $(seq 1200); do
        n=$(pq "SELECT count(*) FROM orders" 2>/dev/null)
        [ "${n:-0}" -ge "$1" ] && return 0
        sleep 0.05
    done
    return 1
}
restart_server() { # N PORT
    kill -KILL "${SRV_PID[$1]}"; wait "${SRV_PID[$1]}" 2>/dev/null
    chain_server_start "$1" "$PG_URL" "$2" --max-per-ip 10000
}
check "the drain is under way" wait_orders $(( want / 6 ))
check "server 1 SIGKILLed mid-drain and restarted" restart_server 1 "$P1"
check "the drain goes on" wait_orders $(( want * 2 / 6 ))
check "server 2 SIGKILLed mid-drain and restarted" restart_server 2 "$P2"
check "the drain goes on" wait_orders $(( want * 3 / 6 ))
check "PostgreSQL restarted (pg_ctl restart -m immediate)" bash "$TILL_ROOT/tests/pg_cluster.sh" restart "$PG_DIR"
wait "$LOAD_PID"; rc=$?
check_eq "the simulated tills settled every order" 0 "$rc"
grep -h "orders:" "$T_DIR/load.out"
for i in $(seq "$REAL"); do
    wait "${TILL_PID[$i]}"; rc=$?
    check_eq "real till T$i drained (till --sync-now)" 0 "$rc"
    [ "$rc" -eq 0 ] || tail -n 5 "$T_DIR/till$i.err"
done
[ "$(pq "SELECT count(*) FROM orders")" -ge "$(( want / 2 ))" ] &&
    check "the restart came before the end (orders were still arriving)" grep -q "database system is ready" "$PG_DIR/server.log"

# --- what PostgreSQL holds ---
check_eq "every order exactly once ($want)" "$want $want" "$(pq "SELECT count(*), count(DISTINCT idempotency_key) FROM orders" | tr '|' ' ')"
for i in $(seq "$REAL"); do
    check_eq "till T$i: its $SALES sales" "$SALES" "$(pq "SELECT count(*) FROM orders WHERE terminal_id = 'T$i'")"
done
check_eq "one movement per sold line" "$(pq "SELECT count(*) FROM order_lines WHERE voided = 0")" \
    "$(pq "SELECT count(*) FROM stock_movements")"
check_eq "every stock level is what its movements add up to" 0 \
    "$(pq "SELECT count(*) FROM (SELECT sku, location, sum(quantity) AS q FROM stock_movements GROUP BY sku, location) m
           FULL JOIN stock_levels l USING (sku, location) WHERE l.on_hand IS DISTINCT FROM m.q")"
check_eq "sold quantities and movements agree" "$(pq "SELECT -sum(qty) FROM order_lines WHERE voided = 0")" \
    "$(pq "SELECT sum(quantity) FROM stock_movements")"
for i in $(seq "$REAL"); do
    check_eq "till T$i: its audit rows, each once" "$SALES $SALES" \
        "$(pq "SELECT count(*), count(DISTINCT seq) FROM audit_rows WHERE terminal_id = 'T$i' AND event = 'sale'" | tr '|' ' ')"
done
check_eq "no audit chain break" 0 "$(pq "SELECT count(*) FROM audit_breaks")"
check "till-server audit: every chain intact" "$SERVER_BIN" --db "$PG_URL" audit
# /v1/health is what the balancer goes by
check "PostgreSQL stopped" bash "$TILL_ROOT/tests/pg_cluster.sh" down "$PG_DIR"
check_eq "health says 503 while the database is down" 503 "$(curl -s -o "$T_DIR/health" -w '%{http_code}' "http://127.0.0.1:$P1/v1/health")"
check "and why" grep -q '"database":"unreachable"' "$T_DIR/health"
check "PostgreSQL started again" bash "$TILL_ROOT/tests/pg_cluster.sh" up "$PG_DIR"
check_eq "health says 200 once it answers" 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P1/v1/health")"
check "the servers logged no crash" bash -c "! grep -l 'AddressSanitizer\|runtime error' $T_DIR/server*.log"
finish
