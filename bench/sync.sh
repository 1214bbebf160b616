#!/bin/bash
# Sync benchmarks against the reference server on loopback (medians of BENCH_RUNS runs):
#  - a new till on N products: catalog bootstrap from the server's snapshot into an empty
#    database (name index included), beside sqlite3 .import of the same rows as CSV into
#    the same schema (the floor), with peak RSS, bytes on the wire and the longest time the
#    sync held the till's loop (what a key pressed meanwhile could wait);
#  - a delta of 1,000 changed products;
#  - draining 10,000 queued sales.
# BENCH_SYNC_ONLY=drain runs only the last one (no 1M-product catalog needed).
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_PRODUCTS:-1000000}
RUNS=${BENCH_RUNS:-3}
B=build/bench/sync
mkdir -p "$B"
start_server() { # DB -> PORT, SERVER_PID
    build/till-server --db "$1" serve --port 0 > "$B/server.out" 2> /dev/null &
    SERVER_PID=$!
    for _ in $(seq 100); do grep -q listening "$B/server.out" && break; sleep 0.05; done
    PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$B/server.out")
}
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# jsonl NAME VALUE UNIT [GOAL [FLOOR]]: one figure for scripts, in build/bench/results.jsonl
jsonl() {
    printf '{"name":"%s","value":%s,"unit":"%s"%s%s}\n' "$1" "$2" "$3" "${4:+,\"goal\":$4}" "${5:+,\"floor\":$5}" \
        >> build/bench/results.jsonl
}
till_sync() { # DB [extra args]: prints the till's own "N ms, peak RSS K kB"
    db=$1; shift
    build/till --db "$db" --set catalog.demo=no --set sync.url="http://127.0.0.1:$PORT" \
        --set sync.token_file="$B/token" "$@" --sync-now
}

if [ "${BENCH_SYNC_ONLY:-}" != drain ]; then
CSV=build/bench/catalog-$N.csv
if [ ! -f "$CSV" ]; then
    build/bench/gen_catalog "$B/gen.db" "$N" "$CSV.tmp" > /dev/null && mv "$CSV.tmp" "$CSV" || exit 1
    rm -f "$B/gen.db"*
fi
SDB=$B/server-$N.db
if [ ! -f "$SDB" ]; then
    echo "importing $N products into the reference server (once)..."
    rm -f "$SDB.tmp"*
    build/till-server --db "$SDB.tmp" import "$CSV" > /dev/null && mv "$SDB.tmp" "$SDB" || exit 1
fi
(umask 077 && build/till-server --db "$SDB" token create T1 > "$B/token") || exit 1

start_server "$SDB"
trap 'kill $SERVER_PID 2>/dev/null' EXIT

# the server builds its snapshot once per catalog state (here ahead of the runs, timed)
rm -f "$SDB".snapshot*
t0=$(ms)
build/till-server --db "$SDB" snapshot > "$B/snapshot.out" || exit 1
SNAP_BUILD=$(( $(ms) - t0 ))
SNAP_BYTES=$(sed -n 's/.*, \([0-9]*\) bytes (.*/\1/p' "$B/snapshot.out")
echo "  server: $(cat "$B/snapshot.out") in $SNAP_BUILD ms"

floor=""; full=""; rss=""; hold=""
for r in $(seq "$RUNS"); do
    rm -f "$B/floor.db"* "$B/full.db"*
    # an empty catalog import creates the database with Till's schema (--check-config never creates one)
    head -n 1 "$CSV" > "$B/empty.csv"
    build/till --db "$B/floor.db" --set catalog.demo=no --import-catalog "$B/empty.csv" > /dev/null || exit 1
    t0=$(ms)
    # the floor: the same rows into the same schema (the catalog file, name index by trigger)
    sqlite3 "$B/floor.db.catalog" ".import --csv $CSV staging" \
        "INSERT INTO products (sku, name, price, unit, tax_class, age_restricted) SELECT sku, name, price, unit, tax_class, age_restricted FROM staging;" \
        "INSERT INTO barcodes (code, product_id) SELECT s.barcode, p.id FROM staging s JOIN products p ON p.sku = s.sku;" \
        "DROP TABLE staging;" || exit 1
    floor="$floor $(( $(ms) - t0 ))"
    t0=$(ms)
    out=$(till_sync "$B/full.db") || { echo "sync failed: $out"; exit 1; }
    full="$full $(( $(ms) - t0 ))"
    rss="$rss $(echo "$out" | sed -n 's/.*peak RSS \([0-9]*\) kB.*/\1/p')"
    hold="$hold $(echo "$out" | sed -n 's/.*longest loop hold \([0-9.]*\) ms.*/\1/p')"
    echo "  run $r: $out"
done
got=$(sqlite3 "$B/full.db.catalog" "select count(*) from products")
[ "$got" = "$N" ] || { echo "full sync brought $got products, not $N"; exit 1; }
F=$(echo $floor | tr ' ' '\n' | median); S=$(echo $full | tr ' ' '\n' | median); R=$(echo $rss | tr ' ' '\n' | median)
H=$(echo $hold | tr ' ' '\n' | median)
echo "new till on $N products (snapshot, name index included): median $S ms process start to done; sqlite3 .import of the same CSV: median $F ms"
awk -v s="$S" -v f="$F" -v r="$R" -v h="$H" -v b="$SNAP_BYTES" 'BEGIN { printf "  ratio %.2fx the .import floor (goal <= 1.5x, and below it), %.2f s (goals < 2 s to first scan, < 3 s in all), peak RSS %.1f MB, %.1f MB on the wire (goal <= 64 MB), longest loop hold %s ms (keys wait at most that)\n", s / f, s / 1000, r / 1024, b / 1048576, h }'
jsonl snapshot_bootstrap_ms "$S" ms 3000 "$F"
jsonl snapshot_bootstrap_ratio_to_floor "$(awk -v s="$S" -v f="$F" 'BEGIN { printf "%.3f", s / f }')" x 1.5 1
jsonl import_floor_ms "$F" ms
jsonl snapshot_wire_bytes "$SNAP_BYTES" bytes 67108864
jsonl snapshot_peak_rss_kb "$R" kB 32768
jsonl sync_longest_loop_hold_ms "$H" ms 16
jsonl snapshot_server_build_ms "$SNAP_BUILD" ms

# keys typed into the real till (in a pty) while it bootstraps the same catalog
rm -f "$B/keys.db"*
build/bench/bench_keys build/till "$B/keys.db" "http://127.0.0.1:$PORT" "$B/token" "$S" 600 | tee "$B/keys.out" || exit 1
KP99=$(sed -n 's/^key-to-screen while the catalog syncs.*p99 \([0-9.]*\) ms.*/\1/p' "$B/keys.out")
[ -n "$KP99" ] && jsonl key_p99_during_sync_ms "$KP99" ms 16
got=$(sqlite3 "$B/keys.db.catalog" "select count(*) from products")
[ "$got" = "$N" ] || echo "  (the till in the pty had $got products when stopped)"

# delta: 1,000 products change on the server, then one sync
delta=""
for r in $(seq "$RUNS"); do
    head -n 1001 "$CSV" | tail -n 1000 | awk -F, -v r="$r" 'BEGIN { printf "[" } { printf "%s{\"sku\":\"%s\",\"name\":\"%s\",\"price\":%d,\"unit\":\"%s\",\"tax_class\":\"%s\",\"barcodes\":[\"%s\"]}", (NR > 1 ? "," : ""), $1, $3, $4 + r, $5, $6, $2 } END { print "]" }' > "$B/delta.json"
    build/till-server --db "$SDB" import "$B/delta.json" > /dev/null || exit 1
    out=$(till_sync "$B/full.db") || { echo "delta failed: $out"; exit 1; }
    echo "  run $r: $out"
    delta="$delta $(echo "$out" | sed -n 's/.*; \([0-9]*\) ms.*/\1/p')"
done
D=$(echo $delta | tr ' ' '\n' | median)
echo "delta of 1000 changes: median $D ms inside till --sync-now (goal < 100 ms)"
jsonl delta_1000_ms "$D" ms 100
kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null
fi

# drain: 10,000 queued sales to a fresh server each run
SALES=${BENCH_SALES:-10000}
if [ ! -f "$B/sales-$SALES.db" ]; then
    rm -f "$B/sales.tmp"*
    build/bench/gen_sales "$B/sales.tmp" "$SALES" && sqlite3 "$B/sales.tmp" \
        "INSERT INTO meta VALUES ('sync.stock_cursor.store-1', '999999999')" &&
        sqlite3 "$B/sales.tmp.catalog" "UPDATE catalog_meta SET value = '999999999' WHERE key = 'cursor'" &&
        sqlite3 "$B/sales.tmp" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null && mv "$B/sales.tmp.catalog" "$B/sales-$SALES.db.catalog" && mv "$B/sales.tmp" "$B/sales-$SALES.db" || exit 1
fi
drain=""
for r in $(seq "$RUNS"); do
    rm -f "$B/drain-server.db"* "$B/drain.db"*
    build/till-server --db "$B/drain-server.db" import assets/demo-catalog.csv > /dev/null
    (umask 077 && build/till-server --db "$B/drain-server.db" token create T1 > "$B/token")
    cp "$B/sales-$SALES.db" "$B/drain.db"
    cp "$B/sales-$SALES.db.catalog" "$B/drain.db.catalog"
    start_server "$B/drain-server.db"
    out=$(till_sync "$B/drain.db") || { echo "drain failed: $out"; exit 1; }
    echo "  run $r: $out"
    n=$(sqlite3 "$B/drain-server.db" "select count(*) from orders")
    [ "$n" = "$SALES" ] || { echo "server holds $n orders, not $SALES"; exit 1; }
    drain="$drain $(echo "$out" | sed -n 's/.*; \([0-9]*\) ms.*/\1/p')"
    kill $SERVER_PID; wait $SERVER_PID 2>/dev/null
done
DR=$(echo $drain | tr ' ' '\n' | median)
echo "draining $SALES queued sales: median $DR ms (goal < 10000 ms)"
jsonl drain_${SALES}_ms "$DR" ms 10000
