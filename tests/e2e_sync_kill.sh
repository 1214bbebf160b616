#!/bin/bash
# SIGKILL the real till again and again while it sells and syncs against a server that
# sometimes closes the connection after committing.  Afterwards every completed sale is on
# the server exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
set_faults "$FAULTS" "close_after_commit=30%"
server_start "$SDB" "$PORT" "$FAULTS" || { fail "server start"; finish; exit 1; }
SYNC="--set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token --set sync.batch=2 \
    --set sync.pull_interval_ms=200 --set sync.backoff_base_ms=50 --set sync.backoff_max_ms=200"
ROUNDS=${KILL_ROUNDS:-10}
for round in $(seq 1 "$ROUNDS"); do
    t_tmux_start 100x30 "$TILL_BIN $SYNC"
    t_wait_for "Empty sale" 10 >/dev/null || { fail "round $round: till did not start"; continue; }
    pid=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}')
    sell_one
    t_keys 4010433218190 Enter 4028710122696 Enter F5 Enter
    sleep "0.$(( RANDOM % 4 ))$(( RANDOM % 10 ))"
    kill -9 "$pid"
    tmux -L "$T_TMUX" kill-server 2>/dev/null
done
sales=$(q 'select count(*) from sales')
echo "$sales sales completed over $ROUNDS kills; $(sq 'select count(*) from orders') on the server before the final sync"
check "sales were completed" test "$sales" -ge "$ROUNDS"
set_faults "$FAULTS" ""
check "a final sync drains the outbox" timeout 60 "$TILL_BIN" $SYNC --sync-now
check_eq "every completed sale is on the server" "$sales" "$(sq 'select count(*) from orders')"
check_eq "exactly once" "$sales" "$(sq 'select count(distinct idempotency_key) from orders')"
check_eq "the same sales" "" "$(comm -3 <(q "select terminal_id || ':' || uuid from sales" | sort) <(sq 'select idempotency_key from orders' | sort))"
check_eq "local outbox all sent" 0 "$(q "select count(*) from outbox where state != 'sent'")"
finish
