#!/bin/bash
# till --salvage keeps the sync queue: sales sold at the till and generated, some already on
# the reference server, some still queued; every page of the outbox is then damaged.
# --check-config refuses the damaged database, --salvage recovers every sale and queues
# again each one whose order row was lost (with the very payload it had), and one
# --sync-now brings every sale to the server exactly once: the ones it had already are
# answered as duplicates, never stored twice, never a conflict.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
server_start "$SDB" "$PORT" || { fail "server start"; finish; exit 1; }
SYNC="--set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token --set sync.batch=5
    --set sync.backoff_base_ms=50 --set sync.backoff_max_ms=300"
sync_now() { # shellcheck disable=SC2086
    timeout 60 "$TILL_BIN" $SYNC --sync-now > "$T_DIR/sync.out" 2> "$T_DIR/sync.err"; }
till_sale() { # one sale at the real till (no server configured: it stays queued)
    t_tmux_start 100x30 "exec $TILL_BIN"
    t_wait_for "Empty sale" 10 > /dev/null || return 1
    sell_one || return 1
    t_keys F10
    t_wait_exit 10
}

# 1 till sale + 12 generated, all sent; then 6 generated + 1 till sale, still queued
till_sale || fail "first till sale"
"$TILL_ROOT/build/bench/gen_sales" "$DB" 12 > /dev/null || fail "gen_sales 12"
sync_now
check_eq "first sync: sent" 0 "$?"
check_eq "13 orders on the server" 13 "$(sq 'select count(*) from orders')"
"$TILL_ROOT/build/bench/gen_sales" "$DB" 6 > /dev/null || fail "gen_sales 6"
till_sale || fail "second till sale"
sales=$(q 'select count(*) from sales')
check_eq "20 sales at the till" 20 "$sales"
check_eq "7 orders queued" 7 "$(q "select count(*) from outbox where kind = 'order' and state = 'pending'")"
q "select idempotency_key || ' ' || payload from outbox where kind = 'order' order by idempotency_key" > "$T_DIR/before"

# every leaf of the outbox's table overwritten: none of its rows can be read
q "pragma wal_checkpoint(truncate)" > /dev/null
pages=$(q "select pageno from dbstat where name = 'outbox' and pagetype in ('leaf', 'internal')")
[ -n "$pages" ] || pages=$(q "select rootpage from sqlite_schema where name = 'outbox'")
for page in $pages; do
    head -c 4096 /dev/urandom | dd of="$DB" bs=4096 seek=$((page - 1)) conv=notrunc 2> /dev/null
done
echo "outbox pages damaged: $(echo $pages)"

# shellcheck disable=SC2086
"$TILL_BIN" $SYNC --check-config > "$T_DIR/check.out" 2> "$T_DIR/check.err"
check_eq "damaged: --check-config fails" 1 "$?"
check "damaged: --check-config does not say ok" sh -c "! grep -q 'configuration ok' '$T_DIR/check.out'"
check "damaged: --check-config says damaged and names the recovery" grep -q "damaged.*till --salvage" "$T_DIR/check.err"
cat "$T_DIR/check.err"

"$TILL_BIN" --salvage > "$T_DIR/salvage.out" 2>&1
check_eq "salvage succeeds" 0 "$?"
cat "$T_DIR/salvage.out"
check_eq "every sale recovered" "$sales" "$(q 'select count(*) from sales')"
check_eq "the fresh database is sound" ok "$(q 'pragma integrity_check')"
queued=$(q "select count(*) from outbox where kind = 'order' and state = 'pending'")
check_eq "every sale whose order row was lost is queued again" "$sales" \
    "$(( queued + $(q "select count(*) from outbox where kind = 'order' and state != 'pending'") ))"
check "the salvage says how many it queued" grep -q "Sync queue: $queued sales queued again" "$T_DIR/salvage.out"
q "select idempotency_key || ' ' || payload from outbox where kind = 'order' order by idempotency_key" > "$T_DIR/after"
# the rebuilt orders are byte for byte those that were queued: the server's duplicate check
# (by key and payload hash) recognises the ones it has
check "every rebuilt order is the payload it had" cmp -s "$T_DIR/before" "$T_DIR/after"
"$TILL_BIN" --outbox > "$T_DIR/outbox.out" 2>&1
check "--outbox lists them as waiting" grep -q "^pending " "$T_DIR/outbox.out"
# shellcheck disable=SC2086
check "--check-config is ok again" "$TILL_BIN" $SYNC --check-config

sync_now
check_eq "sync after salvage: drained" 0 "$?"
cat "$T_DIR/sync.out"
check "the summary counts the $sales orders re-sent (duplicates included), nothing else" \
    grep -q " $sales orders sent," "$T_DIR/sync.out"
check_eq "every sale on the server" "$sales" "$(sq 'select count(*) from orders')"
check_eq "each exactly once" "$sales" "$(sq 'select count(distinct idempotency_key) from orders')"
check_eq "each till sale's key on the server" "" \
    "$(q "select terminal_id || ':' || uuid from sales order by 1" | sort > "$T_DIR/keys";
       sq 'select idempotency_key from orders order by 1' | sort | comm -23 "$T_DIR/keys" -)"
check_eq "nothing parked (no conflict)" 0 "$(q "select count(*) from outbox where state = 'parked'")"
check_eq "nothing left to send" 0 "$(q "select count(*) from outbox where kind = 'order' and state != 'sent'")"
finish
