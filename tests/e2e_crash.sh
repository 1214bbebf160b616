#!/bin/bash
# Crash safety: SIGKILL the real till at random moments while it sells. Afterwards the
# database is intact, every sale has its lines, payment and outbox row (never a partial
# sale), and every sale the screen showed as complete is there.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
q() { sqlite3 "$DB" "$1"; }
ROUNDS=${CRASH_ROUNDS:-12}
seen_complete=0

for round in $(seq 1 "$ROUNDS"); do
    t_tmux_start 100x30 "$TILL_BIN"
    t_empty_sale 15 >/dev/null || { fail "round $round: till did not start"; continue; }
    pid=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}')
    # a sale of two items paid in cash, then kill at a random point of it
    t_keys 4010433218190 Enter 4028710122696 Enter F5 Enter
    sleep "0.0$(( RANDOM % 10 ))"
    if t_screen | grep -q "CHANGE DUE"; then seen_complete=$((seen_complete + 1)); fi
    kill -9 "$pid"
    tmux -L "$T_TMUX" kill-server 2>/dev/null
    sales=$(q 'select count(*) from sales')
    [ "$sales" -ge "$seen_complete" ] || fail "round $round: a sale shown complete is missing ($sales < $seen_complete)"
done

check_eq "database intact after $ROUNDS kills" ok "$(q 'pragma integrity_check')"
check "sales were completed before some kills" test "$(q 'select count(*) from sales')" -ge 1
check_eq "every sale shown complete was saved" 1 "$([ "$(q 'select count(*) from sales')" -ge "$seen_complete" ] && echo 1)"
check_eq "no sale without its outbox row" 0 "$(q 'select count(*) from sales s where not exists (select 1 from outbox o where o.idempotency_key = s.terminal_id || ":" || s.uuid)')"
check_eq "no outbox row without its sale" 0 "$(q 'select count(*) from outbox o where not exists (select 1 from sales s where o.idempotency_key = s.terminal_id || ":" || s.uuid)')"
check_eq "no sale without its payment" 0 "$(q 'select count(*) from sales s where not exists (select 1 from payments p where p.sale_id = s.id)')"
check_eq "every sale has both lines" 0 "$(q 'select count(*) from sales s where (select count(*) from sale_lines l where l.sale_id = s.id) != 2')"
check_eq "receipt numbers unique" "$(q 'select count(*) from sales')" "$(q 'select count(distinct receipt_no) from sales')"
finish
