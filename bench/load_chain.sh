#!/bin/bash
# A chain's central store under 1,000 tills (bench/load_tills.c, each from a loopback
# address of its own) through HAProxy: to 1, 2 and 4 till-server processes on one
# PostgreSQL (a cluster of the bench's own, tests/pg_cluster.sh, fsync on), and the same
# load through HAProxy to the SQLite server.  Each till pulls catalog and stock, pushes
# ROUNDS batches of BATCH orders (every fourth batch is sent again), and backs off
# before sending a failed request again, as a till does.  Per configuration:
# orders/s, order batch p50/p99, and from the database afterwards 0 lost, 0 duplicated.
# Each configuration runs RUNS times on a fresh copy of one prepared database; the
# medians go to build/bench/results.jsonl with the load average (the machine is shared:
# figures are noisy, say so beside them).
#   LOAD_CHAIN_TILLS (1000), LOAD_CHAIN_ROUNDS (1), LOAD_CHAIN_BATCH (10),
#   LOAD_CHAIN_RUNS (3), LOAD_CHAIN_PROCS ("1 2 4").
cd "$(dirname "$0")/.." || exit 1
TILL_ROOT=$(pwd)
SERVER_BIN=${LOAD_SERVER:-$TILL_ROOT/build/till-server}
TILLS=${LOAD_CHAIN_TILLS:-1000} ROUNDS=${LOAD_CHAIN_ROUNDS:-1} BATCH=${LOAD_CHAIN_BATCH:-10}
RUNS=${LOAD_CHAIN_RUNS:-3} PROCS=${LOAD_CHAIN_PROCS:-1 2 4}
. tests/lib.sh
. tests/sync_lib.sh
. tests/chain_lib.sh
command -v haproxy > /dev/null || { echo "load_chain: haproxy is not installed (scripts/packages.list)"; exit 1; }
t_tmpdir
chain_pg_start || { echo "load_chain: cannot start PostgreSQL"; exit 1; }
trap 'chain_pg_stop; t_cleanup' EXIT
mkdir -p "$T_DIR/snapshots" build/bench
SKU=$(sed -n 2p assets/demo-catalog.csv | cut -d, -f1); PRICE=$(sed -n 2p assets/demo-catalog.csv | cut -d, -f4)
want=$(( TILLS * ROUNDS * BATCH ))

# one prepared database per backend: catalog and the tills' tokens (the same tokens)
echo "load_chain: preparing $TILLS tokens..."
"$SERVER_BIN" --db "$PG_URL" import assets/demo-catalog.csv > /dev/null || exit 1
chain_tokens "$PG_URL" L "$TILLS" "$T_DIR/tokens" || exit 1
"$SERVER_BIN" --db "$T_DIR/base.db" import assets/demo-catalog.csv > /dev/null || exit 1
psql -X -q -tA -d "$PG_URL" -c "SELECT terminal_id || ' ' || token_hash || ' ' || created_at FROM terminals" |
    while read -r t h c; do echo "INSERT INTO terminals VALUES('$t', '$h', $c);"; done |
    { echo "BEGIN;"; cat; echo "COMMIT;"; } | sqlite3 "$T_DIR/base.db" || exit 1
psql -X -q -d "$PG_BASE/postgres" -c "ALTER DATABASE store WITH ALLOW_CONNECTIONS false" > /dev/null

median() { sort -n | awk '{v[NR] = $1} END {if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); else print "null"}'; }
jsonl() { # NAME VALUE UNIT [GOAL]
    printf '{"name":"%s","value":%s,"unit":"%s"%s}\n' "$1" "${2:-null}" "$3" "${4:+,\"goal\":$4}" >> build/bench/results.jsonl
}
# run_config NAME BACKEND NPROCS: RUNS runs; prints a table row; records the medians
run_config() {
    local name=$1 backend=$2 nprocs=$3 run ports db got keys
    : > "$T_DIR/$name.runs"
    for run in $(seq "$RUNS"); do
        if [ "$backend" = pg ]; then
            psql -X -q -d "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS r" -c "CREATE DATABASE r TEMPLATE store" || return 1
            db=$PG_BASE/r
        else
            rm -f "$T_DIR/r.db"*; cp "$T_DIR/base.db" "$T_DIR/r.db"; db=$T_DIR/r.db
        fi
        ports=""
        for n in $(seq "$nprocs"); do
            p=$(free_port); ports="$ports $p"
            chain_server_start "$n" "$db" "$p" --max-per-ip 100000 --max-connections 4000 || return 1
        done
        hp=$(free_port)
        CHAIN_HAPROXY_MAXCONN=5000 chain_haproxy_start "$hp" $ports || return 1
        LOAD_BACKOFF_MS=50 build/bench/load_tills "http://127.0.0.1:$hp" "$T_DIR/tokens" "$TILLS" "$ROUNDS" "$BATCH" "$SKU" "$PRICE" \
            > "$T_DIR/out" 2> "$T_DIR/err"
        local rc=$? load; load=$(cut -d' ' -f1 /proc/loadavg)
        kill "$HAPROXY_PID"; wait "$HAPROXY_PID" 2>/dev/null
        for n in $(seq "$nprocs"); do kill "${SRV_PID[$n]}"; wait "${SRV_PID[$n]}" 2>/dev/null; done
        if [ "$backend" = pg ]; then
            got=$(psql -X -q -tA -d "$db" -c "SELECT count(*) FROM orders"); keys=$(psql -X -q -tA -d "$db" -c "SELECT count(DISTINCT idempotency_key) FROM orders")
        else
            got=$(sqlite3 "$db" "SELECT count(*) FROM orders"); keys=$(sqlite3 "$db" "SELECT count(DISTINCT idempotency_key) FROM orders")
        fi
        ops=$(sed -n 's/.*requests\/s, \([0-9]*\) orders accepted\/s.*/\1/p' "$T_DIR/out")
        p50=$(sed -n 's/^POST \/v1\/orders latency.*p50 \([0-9.]*\) ms.*/\1/p' "$T_DIR/out")
        p99=$(sed -n 's/^POST \/v1\/orders latency.*p99 \([0-9.]*\) ms.*/\1/p' "$T_DIR/out")
        echo "${ops:-0} ${p50:-0} ${p99:-0} $(( want - keys )) $(( got - keys )) $load $rc" >> "$T_DIR/$name.runs"
        echo "  $name run $run: ${ops:-?} orders/s, batch p50 ${p50:-?} ms, p99 ${p99:-?} ms, lost $(( want - keys )), duplicated $(( got - keys )), load $load"
    done
    local ops p50 p99 lost dup load
    ops=$(cut -d' ' -f1 "$T_DIR/$name.runs" | median); p50=$(cut -d' ' -f2 "$T_DIR/$name.runs" | median)
    p99=$(cut -d' ' -f3 "$T_DIR/$name.runs" | median); load=$(cut -d' ' -f6 "$T_DIR/$name.runs" | median)
    lost=$(awk '{s += $4} END {print s}' "$T_DIR/$name.runs"); dup=$(awk '{s += $5} END {print s}' "$T_DIR/$name.runs")
    printf '| %-22s | %8s | %9s | %9s | %4s | %4s | %5s |\n' "$name" "$ops" "$p50" "$p99" "$lost" "$dup" "$load" >> "$T_DIR/table"
    jsonl "${name}_orders_per_s" "$ops" "orders/s" "$( [ "$name" = chain_pg_2proc ] && echo 5000)"
    jsonl "${name}_batch_p50_ms" "$p50" "ms"
    jsonl "${name}_batch_p99_ms" "$p99" "ms" "$( [ "$name" = chain_pg_2proc ] && echo 1000)"
    jsonl "${name}_orders_lost" "$lost" "orders" 0
    jsonl "${name}_orders_duplicated" "$dup" "orders" 0
    jsonl "${name}_load_average" "$load" "load"
    [ "$lost" = 0 ] && [ "$dup" = 0 ] && ! grep -qv ' 0$' "$T_DIR/$name.runs"
}

echo "load_chain: $TILLS tills x $ROUNDS rounds x $BATCH orders ($want orders a run), $RUNS runs each, medians; $(uptime | sed 's/.*load/load/')"
echo "(the machine is shared with other work: the figures are noisy; the load average is recorded with them)"
status=0
for n in $PROCS; do run_config "chain_pg_${n}proc" pg "$n" || status=1; done
run_config chain_sqlite_1proc sqlite 1 || status=1
echo "| configuration          | orders/s | p50 (ms)  | p99 (ms)  | lost | dup  | load  |"
echo "|------------------------|----------|-----------|-----------|------|------|-------|"
cat "$T_DIR/table"
[ "$status" = 0 ] && echo "PASS: every order exactly once in every run" || echo "FAIL"
exit $status
