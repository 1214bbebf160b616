#!/bin/bash
# SIGKILL the real till hundreds of times while it sells and syncs against a server that
# fails (5xx, resets, connections closed after the commit): kills aimed inside the sale's
# commit, after its receipt, and during start-up (tests/kill_loop.c).  Afterwards nothing is
# lost, duplicated or invented: every sale the screen showed complete is in the database,
# every sale is on the server exactly once, the server holds no sale the till never made;
# every sale has its receipt file and print job (once) and no temporary file is left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
SPOOL=$XDG_DATA_HOME/till/spool
set_faults "$FAULTS" "close_after_commit=25%,5xx=10%,reset=5%"
server_start "$SDB" "$PORT" "$FAULTS" || { fail "server start"; finish; exit 1; }
SYNC="--set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token --set sync.batch=2 \
    --set sync.pull_interval_ms=200 --set sync.backoff_base_ms=20 --set sync.backoff_max_ms=100"
KILLS=${KILL_ROUNDS:-400}
SEED=${KILL_SEED:-$$}
echo "kill loop: $KILLS kills, seed $SEED"
# shellcheck disable=SC2086
"$TILL_ROOT/build/kill-loop" "$KILLS" "$SEED" "$T_DIR/seen" "$TILL_BIN" $SYNC | tee "$T_DIR/kills.out"
check "the kill loop ran" grep -q "kills in" "$T_DIR/kills.out"
sales=$(q 'select count(*) from sales')
echo "$sales sales completed; $(sq 'select count(*) from orders') on the server before the final sync"
check "sales were completed" test "$sales" -ge $((KILLS / 3))
check_eq "database intact" ok "$(q 'pragma integrity_check')"

# every sale the cashier saw complete is saved (none lost locally)
lost_local=0
while read -r no; do
    [ "$(q "select count(*) from sales where receipt_no = $no")" = 1 ] || lost_local=$((lost_local + 1))
done < "$T_DIR/seen"
check_eq "lost: sales shown complete but not saved ($(wc -l < "$T_DIR/seen") shown)" 0 "$lost_local"
check_eq "receipt numbers unique" "$sales" "$(q 'select count(distinct receipt_no) from sales')"
check_eq "no sale without its order" 0 "$(q "select count(*) from sales s where not exists (select 1 from outbox o where o.idempotency_key = s.terminal_id || ':' || s.uuid)")"

# one clean start writes the receipts the kills left unwritten and removes stale files
t_tmux_start 100x30 "$TILL_BIN $SYNC --set sync.url=http://127.0.0.1:1"
t_wait_for "Empty sale" 60 > /dev/null || fail "till did not start after the kills"
# the receipts are written in the background after the start: done when no sale waits
# for its receipt (a quit before that leaves the rest for the next start)
n=0
while [ "$n" -lt 2400 ] && [ "$(q "select count(*) from sales where receipt_spooled = 0")" != 0 ]; do
    sleep 0.05; n=$((n + 1))
done
t_keys F10
t_wait_exit 60 || fail "till did not exit after F10"
check_eq "every sale has its receipt file" "$sales" "$(find "$SPOOL" -name 'receipt-*.txt' | wc -l)"
check_eq "no temporary receipt file left" 0 "$(find "$SPOOL" -name '*.tmp' | wc -l)"
check_eq "no sale waiting for its receipt" 0 "$(q 'select count(*) from sales where receipt_spooled = 0')"
check_eq "every sale's receipt is stored for the printer" "$sales" "$(q 'select count(*) from receipts')"
check_eq "and queued to print once" 0 "$(q "select count(*) from (select receipt_id from print_jobs where kind = 'receipt' group by receipt_id having count(*) > 1)")"
check_eq "every sale's receipt queued to print" "$sales" "$(q "select count(distinct receipt_id) from print_jobs where kind = 'receipt'")"

set_faults "$FAULTS" ""
# shellcheck disable=SC2086
check "a final sync drains the outbox" timeout 120 "$TILL_BIN" $SYNC --sync-now
comm -23 <(q "select terminal_id || ':' || uuid from sales" | sort) <(sq 'select idempotency_key from orders' | sort) > "$T_DIR/lost"
comm -13 <(q "select terminal_id || ':' || uuid from sales" | sort) <(sq 'select idempotency_key from orders' | sort) > "$T_DIR/invented"
dups=$(( $(sq 'select count(*) from orders') - $(sq 'select count(distinct idempotency_key) from orders') ))
echo "server: $(sq 'select count(*) from orders') orders; lost $(wc -l < "$T_DIR/lost"), duplicated $dups, invented $(wc -l < "$T_DIR/invented")"
check_eq "lost at the server" 0 "$(wc -l < "$T_DIR/lost")"
check_eq "duplicated at the server" 0 "$dups"
check_eq "invented at the server" 0 "$(wc -l < "$T_DIR/invented")"
check_eq "every completed sale is on the server" "$sales" "$(sq 'select count(*) from orders')"
check_eq "local outbox all sent" 0 "$(q "select count(*) from outbox where state != 'sent'")"
finish
