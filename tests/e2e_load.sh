#!/bin/bash
# The reference server (under ASan) with many tills at once, at test size: 40 simulated
# tills (bench/load_tills.c, each from a loopback address of its own, so the per-address
# limit stays at its default) pull catalog and stock and push orders, with retries after
# injected faults (answers lost after the commit, 5xx) and repeated batches, while three
# real tills drain the same 300 queued sales (one backup restored on three tills: their
# idempotency keys race each other).  Afterwards the server holds every order exactly once.
# bench/load200.sh is the same at 200 tills, in make bench.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
SERVER_BIN=$TILL_ROOT/build/asan/till-server
TILLS=40 ROUNDS=4 BATCH=10
sync_test_setup || { fail "server set-up"; finish; exit 1; }
for i in $(seq "$TILLS"); do
    echo "L$i $("$SERVER_BIN" --db "$SDB" token create "L$i")"
done > "$T_DIR/tokens"
check_eq "a token for each simulated till" "$TILLS" "$(wc -l < "$T_DIR/tokens")"
mkdir -p "$T_DIR/tills"
for t in 1 2 3; do
    TILL_GEN_SEED=b0000000 "$TILL_ROOT/build/bench/gen_sales" "$T_DIR/tills/t$t.db" 300 > /dev/null || fail "gen_sales $t"
done
set_faults "$FAULTS" "close_after_commit=3%,5xx=2%"
server_start "$SDB" "$PORT" "$FAULTS" || { fail "server start"; finish; exit 1; }

"$TILL_ROOT/build/bench/load_tills" "http://127.0.0.1:$PORT" "$T_DIR/tokens" "$TILLS" "$ROUNDS" "$BATCH" \
    SKU10001 119 > "$T_DIR/load.out" 2> "$T_DIR/load.err" &
LOAD_PID=$!
pids=""
for t in 1 2 3; do
    timeout 200 "$TILL_BIN" --db "$T_DIR/tills/t$t.db" --set catalog.demo=no --set sync.url="http://127.0.0.1:$PORT" \
        --set sync.token_file="$T_DIR/token" --set sync.batch=50 --set sync.backoff_base_ms=50 \
        --set sync.backoff_max_ms=300 --sync-now > "$T_DIR/till$t.out" 2>&1 &
    pids="$pids $!"
done
wait $LOAD_PID
check_eq "the simulated tills settled every batch" 0 "$?"
cat "$T_DIR/load.out" "$T_DIR/load.err"
for t in 1 2 3; do
    p=$(echo $pids | cut -d' ' -f$t)
    wait "$p"
    check_eq "real till $t: --sync-now drained its queue" 0 "$?"
    check_eq "real till $t: every sale marked sent" 0 \
        "$(sqlite3 "$T_DIR/tills/t$t.db" "select count(*) from outbox where state != 'sent'")"
done
grep -h "sync complete" "$T_DIR"/till*.out
server_stop
want=$(( TILLS * ROUNDS * BATCH ))
check_eq "every simulated order on the server" "$want" "$(sq "select count(*) from orders where idempotency_key glob 'L*:r*-o*'")"
check_eq "each once" "$want" "$(sq "select count(distinct idempotency_key) from orders where idempotency_key glob 'L*:r*-o*'")"
check_eq "the real tills' 300 sales, once each" 300 "$(sq "select count(*) from orders where idempotency_key not glob 'L*:r*-o*'")"
check_eq "and no other" $(( want + 300 )) "$(sq "select count(*) from orders")"
check_eq "one line per simulated order" "$want" \
    "$(sq "select count(*) from order_lines l join orders o on o.id = l.order_id where o.idempotency_key glob 'L*:r*-o*'")"
check "repeated batches came back duplicate" grep -q "[1-9][0-9]* duplicate" "$T_DIR/load.out"
check "the server's log has no sanitizer report" sh -c "! grep -q 'ERROR: AddressSanitizer\|runtime error' '$T_DIR/server.log'"
finish
