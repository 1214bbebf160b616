#!/bin/bash
# Moving a store from SQLite to PostgreSQL: `till-server migrate --from store.db --to
# postgresql://...`.  A SQLite store that has taken orders (a real till's and simulated
# tills'), chained audit rows, staff, counts and adjustments, cash movements, promotions
# and customers is copied into a PostgreSQL cluster of the test's own: every table's rows
# there, none twice (each table dumped in key order on both sides and compared whole); a
# second run copies nothing and changes nothing; a server on PostgreSQL then takes the
# next order under a new id and answers as the SQLite one did.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
. "$(dirname "$0")/chain_lib.sh"
t_tmpdir
chain_pg_start; rc=$?
[ "$rc" -eq 77 ] && { echo "SKIPPED: PostgreSQL is not installed"; echo "RESULT: 0 passed, 0 failed, 1 skipped"; exit 0; }
trap 'chain_pg_stop; t_cleanup' EXIT
check_eq "a PostgreSQL cluster of the test's own starts" 0 "$rc"
[ "$rc" -eq 0 ] || { finish; exit 1; }

SDB=$T_DIR/store.db
"$SERVER_BIN" --db "$SDB" import "$TILL_ROOT/assets/demo-catalog.csv" > /dev/null
"$SERVER_BIN" --db "$SDB" price SKU10002 249 > /dev/null
"$SERVER_BIN" --db "$SDB" delete SKU10003 > /dev/null
chain_tokens "$SDB" L 5 "$T_DIR/tokens"
chain_tokens "$SDB" T 1 "$T_DIR/real_tokens"
echo 123456 | "$SERVER_BIN" --db "$SDB" staff add anna "Anna Berg" manager > /dev/null
echo 654321 | "$SERVER_BIN" --db "$SDB" staff add ben "Ben Ode" cashier > /dev/null
"$SERVER_BIN" --db "$SDB" staff delete ben > /dev/null
"$SERVER_BIN" --db "$SDB" stock SKU10001 store-1 50000 > /dev/null
"$SERVER_BIN" --db "$SDB" promo add '{"name":"Milk 3 for 2","kind":"multibuy_free","sku":"SKU10001","n":3,"m":2}' > /dev/null
"$SERVER_BIN" --db "$SDB" customer add c1 "Carla" gold 4000000000017 > /dev/null
P=$(free_port)
mkdir -p "$T_DIR/snapshots"
check "a SQLite server starts" chain_server_start 1 "$SDB" "$P"
SKU=$(sed -n 2p "$TILL_ROOT/assets/demo-catalog.csv" | cut -d, -f1); PRICE=$(sed -n 2p "$TILL_ROOT/assets/demo-catalog.csv" | cut -d, -f4)
check "5 simulated tills send their orders" "$TILL_ROOT/build/bench/load_tills" "http://127.0.0.1:$P" "$T_DIR/tokens" 5 3 10 "$SKU" "$PRICE"
TILL_GEN_TERMINAL=T1 TILL_GEN_AUDIT=1 "$TILL_ROOT/build/bench/gen_sales" "$T_DIR/till.db" 50
cut -d' ' -f2 "$T_DIR/real_tokens" > "$T_DIR/till.token"; chmod 600 "$T_DIR/till.token"
check "a real till drains its sales and audit rows" "$TILL_BIN" --db "$T_DIR/till.db" --set catalog.demo=no \
    --set store.terminal_id=T1 --set sync.url="http://127.0.0.1:$P" --set sync.token_file="$T_DIR/till.token" --sync-now
tok=$(cut -d' ' -f2 "$T_DIR/real_tokens")
post() { curl -s -H "Authorization: Bearer $tok" -H "Content-Type: application/json" --data "$2" "http://127.0.0.1:$P$1"; }
check "a count and an adjustment are stored" grep -q accepted <<< "$(post /v1/stock-adjustments \
    '{"adjustments":[{"idempotency_key":"T1:adj-1","sku":"SKU10002","location":"store-1","kind":"count","quantity":7000,"occurred_at":1795583000},{"idempotency_key":"T1:adj-2","sku":"SKU10002","location":"store-1","kind":"damage","quantity":-1000,"occurred_at":1795583100}]}')"
check "a cash movement is stored" grep -q accepted <<< "$(post /v1/cash-movements \
    '{"movements":[{"idempotency_key":"T1:cm-1","kind":"paid_in","amount":5000,"at":1795583000,"shift_uuid":"s-1","staff_id":"anna"}]}')"
kill "${SRV_PID[1]}"; wait "${SRV_PID[1]}" 2>/dev/null
sq() { sqlite3 "$SDB" "$1"; }
check "the SQLite store has orders, lines, audit rows, staff, counts" test "$(sq "SELECT (SELECT count(*) FROM orders) > 100 AND (SELECT count(*) FROM audit_rows) >= 50 AND (SELECT count(*) FROM staff) = 2 AND (SELECT count(*) FROM stock_movements WHERE kind = 'count') = 2 AND (SELECT count(*) FROM shift_docs) = 1 AND (SELECT count(*) FROM feed_items) = 2")" = 1

# every table, whole, in key order: the same text from both databases.
# The column order differs where SQLite added columns later (ALTER TABLE): they are named.
dump_cols() { # dump_cols sqlite|pg: every column by name, in one order for both
    while read -r t cols; do
        [ -n "$t" ] || continue
        echo "== $t"
        if [ "$1" = sqlite ]; then sqlite3 -separator "$(printf '\t')" "$SDB" "SELECT $cols FROM $t ORDER BY 1, 2"
        else psql -X -q -tA -F "$(printf '\t')" -d "$PG_URL" -c "SELECT $cols FROM $t ORDER BY 1, 2"; fi
    done <<'COLS'
products sku, name, price, unit, tax_class, age_restricted, active, seq, deleted, product_group, deposit_sku
barcodes code, sku
terminals terminal_id, token_hash, created_at
orders id, idempotency_key, terminal_id, sale_uuid, total, currency, completed_at, location, payload, received_at, payload_sha256, return_of, receipt_no
order_lines id, order_id, line_no, sku, barcode, name, qty, unit_price, line_total, voided, return_line, restock
stock_movements id, idempotency_key, sku, location, kind, quantity, occurred_at, order_id, reason
stock_levels sku, location, on_hand, seq
staff id, name, role, pin_hash, active, seq, deleted
shift_docs id, kind, idempotency_key, payload_sha256, terminal_id, payload, received_at
feed_items feed, id, seq, deleted, body
audit_rows terminal_id, seq, at, cashier, event, detail, prev_hash, hash, received_at
audit_breaks id, terminal_id, seq, reason, found_at
meta key, value
COLS
}
"$SERVER_BIN" migrate --from "$SDB" --to "$PG_URL" > "$T_DIR/migrate1.out" 2>&1; rc=$?
cat "$T_DIR/migrate1.out"
check_eq "migrate exits 0" 0 "$rc"
check "it reports no mismatch" bash -c "! grep -q MISMATCH $T_DIR/migrate1.out"
dump_cols sqlite > "$T_DIR/sqlite.dump"; dump_cols pg > "$T_DIR/pg1.dump"
check "every row of every table is in PostgreSQL, as it was" diff "$T_DIR/sqlite.dump" "$T_DIR/pg1.dump"
check_eq "none twice: orders by key" "$(sq "SELECT count(*) FROM orders")" "$(pq "SELECT count(DISTINCT idempotency_key) FROM orders")"
"$SERVER_BIN" migrate --from "$SDB" --to "$PG_URL" > "$T_DIR/migrate2.out" 2>&1; rc=$?
check_eq "a second run exits 0" 0 "$rc"
check_eq "a second run copies nothing" 0 "$(awk '{s += $(NF-2)} END {print s}' "$T_DIR/migrate2.out")"
dump_cols pg > "$T_DIR/pg2.dump"
check "a second run changes nothing" diff "$T_DIR/pg1.dump" "$T_DIR/pg2.dump"

# the store goes on on PostgreSQL
check "a server on PostgreSQL starts" chain_server_start 2 "$PG_URL" "$P"
before=$(pq "SELECT max(id) FROM orders")
check "it takes the next order" grep -q '"status":"accepted"' <<< "$(post /v1/orders \
    '{"orders":[{"idempotency_key":"T1:after","terminal_id":"T1","sale_uuid":"u-after","completed_at":1795590000,"currency":"EUR","total":119,"lines":[{"line_no":1,"sku":"SKU10001","qty":1000,"unit":"each","unit_price":119,"line_total":119,"voided":false}],"payments":[{"tender":"cash","amount":119}]}]}')"
check "under a new id (the id sequences moved past the copied rows)" test "$(pq "SELECT id FROM orders WHERE idempotency_key = 'T1:after'")" -gt "$before"
check "an adjustment sent before the move is a duplicate" grep -q '"status":"duplicate"' <<< "$(post /v1/stock-adjustments \
    '{"adjustments":[{"idempotency_key":"T1:adj-1","sku":"SKU10002","location":"store-1","kind":"count","quantity":7000,"occurred_at":1795583000}]}')"
check "the staff feed carries on from its cursor" grep -q '"id":"ben","deleted":true' <<< "$(curl -s -H "Authorization: Bearer $tok" "http://127.0.0.1:$P/v1/staff?since=0")"
check "the audit chains are intact" "$SERVER_BIN" --db "$PG_URL" audit
finish
