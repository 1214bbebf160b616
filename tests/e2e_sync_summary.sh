#!/bin/bash
# --sync-now's summary counts orders as orders (audit rows and other documents apart), and a
# drain leaves nothing of its own behind (a one-shot writes no start/stop audit rows); --db
# without --spool keeps the receipts in "spool" beside that database, never in the shared
# default spool.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
server_start "$SDB" "$PORT" || { fail "server start"; finish; exit 1; }
OTHER=$T_DIR/other
mkdir -p "$OTHER"
DB=$OTHER/till.db
SYNC="--db $DB --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token
    --set sync.backoff_base_ms=50 --set sync.backoff_max_ms=300"

# two sales at a till started with --db only (no server: they stay queued)
t_tmux_start 100x30 "exec $TILL_BIN --db $DB --set catalog.demo=yes"
t_wait_for "Empty sale" 15 > /dev/null || fail "till did not start"
sell_one || fail "first sale"
sell_one || fail "second sale"
t_keys F10
t_wait_exit 10
check_eq "two receipts in spool/ beside the database" 2 "$(ls "$OTHER"/spool/receipt-*.txt 2>/dev/null | wc -l)"
check_eq "none in the default spool" 0 "$(ls "$XDG_DATA_HOME"/till/spool 2>/dev/null | wc -l)"
check "no default database either" test ! -e "$XDG_DATA_HOME/till/till.db"
audit_rows=$(q 'select count(*) from audit_log')
check "the session left audit rows" test "$audit_rows" -ge 2

# shellcheck disable=SC2086
timeout 60 "$TILL_BIN" $SYNC --sync-now > "$T_DIR/sync.out" 2> "$T_DIR/sync.err"
check_eq "sync: drained" 0 "$?"
cat "$T_DIR/sync.out"
check "the summary counts 2 orders, not the audit rows" grep -q " 2 orders sent," "$T_DIR/sync.out"
check "and the audit rows apart" grep -q " $audit_rows audit rows," "$T_DIR/sync.out"
check_eq "2 orders on the server" 2 "$(sq 'select count(*) from orders')"
check_eq "the drain wrote no audit row of its own" "$audit_rows" "$(q 'select count(*) from audit_log')"
check_eq "nothing left pending after the drain" 0 "$(q "select count(*) from outbox where state = 'pending'")"
check_eq "every audit row sent" "$audit_rows" "$(q "select count(*) from outbox where kind = 'audit' and state = 'sent'")"

# shellcheck disable=SC2086
timeout 60 "$TILL_BIN" $SYNC --sync-now > "$T_DIR/sync2.out" 2> "$T_DIR/sync2.err"
check_eq "a second sync: drained" 0 "$?"
check "a second sync sends nothing" grep -q " 0 orders sent, 0 other documents, 0 audit rows," "$T_DIR/sync2.out"
check_eq "and still leaves nothing pending" 0 "$(q "select count(*) from outbox where state = 'pending'")"
check_eq "nor an audit row" "$audit_rows" "$(q 'select count(*) from audit_log')"
finish
