#!/bin/bash
# Crash safety of card payments: the real till is SIGKILLed at every step of a card
# payment against the simulated terminal (whose own memory outlives Till, as a device's
# would). After each restart Till resolves the interrupted payment with the terminal
# before selling again. In the end the terminal's truth and Till's books agree: every
# charge that was not reversed belongs to exactly one saved sale, nothing is charged twice,
# and no payment is left unresolved.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
DEV=$DB.sim-terminal
q() { sqlite3 "$DB" "$1"; }
ARGS="--set payment.sim.latency_ms=400"

# kill points, in seconds after F6: before the request, during the customer's PIN,
# right around the approval, after the sale is saved
for delay in 0 0.05 0.15 0.25 0.35 0.38 0.40 0.42 0.45 0.6 1.0; do
    t_tmux_start 100x34 "$TILL_BIN $ARGS"
    # a recovery from the previous round may still be on screen: it must finish by itself;
    # the open sale the kill left comes back and is cancelled
    t_empty_sale 20 >/dev/null || { fail "till not ready after kill at $delay s"; continue; }
    pid=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}')
    t_keys 4010433218190 Enter F5 F6
    sleep "$delay"
    kill -9 "$pid"
done

# one last start resolves whatever the last kill left open
t_tmux_start 100x34 "$TILL_BIN $ARGS"
check "till starts and resolves interrupted payments by itself" t_empty_sale 20
t_keys F10
t_wait_exit 5 >/dev/null

check_eq "no payment left unresolved" 0 "$(q "select count(*) from payment_intents where state in ('sending', 'unknown', 'approved')")"
# net charge per reference on the terminal: approvals minus reversals
net=$(awk '$1 == "APPROVED" { n[$2]++ } $1 == "REVERSED" { n[$2]-- } END { for (r in n) print r, n[r] }' "$DEV" | sort)
check_eq "no reference charged twice or reversed twice" "" "$(echo "$net" | awk '$2 != 0 && $2 != 1')"
charged=$(echo "$net" | awk '$2 == 1 { print $1 }' | sort)
in_sales=$(q "select reference from payments where tender = 'card' order by reference" | sort)
check_eq "every standing charge belongs to a saved sale, and every card payment was charged" "$charged" "$in_sales"
check_eq "each saved card payment belongs to one sale" "$(echo "$in_sales" | grep -c . )" "$(echo "$in_sales" | sort -u | grep -c .)"
check "some rounds were charged and kept, some never charged or reversed" \
    test "$(echo "$charged" | grep -c .)" -ge 1 -a "$(q "select count(*) from payment_intents where state in ('not_charged', 'reversed', 'failed')")" -ge 1
check_eq "database intact" ok "$(q 'pragma integrity_check')"
echo "terminal journal:"; cat "$DEV"
echo "intents:"; q 'select reference, state from payment_intents'
finish
