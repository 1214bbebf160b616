#!/bin/bash
# till --sync-now against a server that fails: temporary errors (5xx, 429, resets, garbled
# answers, commits whose answer is lost) are retried with backoff until the queue is drained
# in one run; a server that never answers ends at the deadline, a refused token at once.
# And the sync settings that guard the token: owner-only token file, no plain http:// to
# another machine unless allowed, a loud warning for insecure_tls.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
mkdir -p "$(dirname "$DB")"
"$TILL_ROOT/build/bench/gen_sales" "$DB" 300 > /dev/null || fail "gen_sales"
# their receipts count as written when sold: else the till spools and prints all 300 at
# start-up (a crash's catch-up), which is what made bench/sync.sh's drain 6x slower
check_eq "gen_sales: no receipt left to catch up" 0 "$(q 'select count(*) from sales where receipt_spooled = 0')"
set_faults "$FAULTS" "5xx=4,429=2,reset=3,malformed=2,truncate=1,close_after_commit=3"
server_start "$SDB" "$PORT" "$FAULTS" || { fail "server start"; finish; exit 1; }
SYNC="--set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token --set sync.batch=25
    --set sync.backoff_base_ms=50 --set sync.backoff_max_ms=300"

# shellcheck disable=SC2086
timeout 120 "$TILL_BIN" $SYNC --sync-now > "$T_DIR/sync.out" 2> "$T_DIR/sync.err"
check_eq "one --sync-now drains 300 sales through 15 injected faults" 0 "$?"
cat "$T_DIR/sync.out"
check "it said what it retried" grep -q "(retrying)" "$T_DIR/sync.err"
echo "$(grep -c retrying "$T_DIR/sync.err") distinct errors retried"
check_eq "every sale on the server" 300 "$(sq 'select count(*) from orders')"
check_eq "each once" 300 "$(sq 'select count(distinct idempotency_key) from orders')"
check_eq "local outbox all sent" 0 "$(q "select count(*) from outbox where state != 'sent'")"

# a server that never answers: the deadline ends it
server_stop
t0=$(date +%s)
# shellcheck disable=SC2086
"$TILL_BIN" $SYNC --set sync.now_deadline_s=2 --sync-now > /dev/null 2> "$T_DIR/dead.err"
rc=$?
t1=$(date +%s)
check_eq "no server: gives up" 1 "$rc"
check "no server: at the deadline, not at the first error" test $((t1 - t0)) -ge 2
check "no server: says the deadline" grep -q "did not complete within 2 s" "$T_DIR/dead.err"

# a refused token: retrying cannot help, it stops at once
server_start "$SDB" "$PORT" "$FAULTS" || fail "server restart"
echo wrong-token > "$T_DIR/bad-token"
chmod 600 "$T_DIR/bad-token"
# shellcheck disable=SC2086
timeout 30 "$TILL_BIN" $SYNC --set sync.token_file="$T_DIR/bad-token" --sync-now > /dev/null 2> "$T_DIR/refused.err"
check_eq "refused token: exit 1" 1 "$?"
check "refused token: says the server refused" grep -q "the server refused" "$T_DIR/refused.err"

# the token file must be owner-only
for mode in 640 660 604; do
    chmod "$mode" "$T_DIR/token"
    # shellcheck disable=SC2086
    "$TILL_BIN" $SYNC --check-config > /dev/null 2> "$T_DIR/mode.err"
    check_eq "token file $mode refused" 1 "$?"
    check "token file $mode: says chmod 600" grep -q "chmod 600" "$T_DIR/mode.err"
done
chmod 600 "$T_DIR/token"
# shellcheck disable=SC2086
check "token file 600 accepted" "$TILL_BIN" $SYNC --check-config

TOK="--set sync.token_file=$T_DIR/token"
# shellcheck disable=SC2086
"$TILL_BIN" $TOK --set sync.url=http://store.example.com --check-config > /dev/null 2> "$T_DIR/http.err"
check_eq "plain http:// to another machine refused" 1 "$?"
check "... and says how to allow it" grep -q "sync.allow_plain_http" "$T_DIR/http.err"
# shellcheck disable=SC2086
check "allowed with sync.allow_plain_http = yes" "$TILL_BIN" $TOK --set sync.url=http://store.example.com \
    --set sync.allow_plain_http=yes --check-config
# shellcheck disable=SC2086
check "http:// to localhost needs nothing" "$TILL_BIN" $TOK --set sync.url=http://localhost:1 --check-config
# shellcheck disable=SC2086
"$TILL_BIN" $TOK --set sync.url=https://store.example.com --set sync.insecure_tls=1 --check-config \
    > /dev/null 2> "$T_DIR/tls.err"
check "insecure_tls: a loud warning" grep -q "WARNING: sync.insecure_tls = 1" "$T_DIR/tls.err"
finish
