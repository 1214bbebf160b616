#!/bin/bash
# End to end: card payments through the simulated terminal in the real till: split tender,
# partial approval, decline, cancel with reversal, failover when a terminal is not reached,
# an unknown outcome that must not be charged twice, and no card number stored anywhere.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_CONFIG_HOME=$T_DIR/config

start_till() { # name extra-args...
    name=$1; shift
    export XDG_DATA_HOME=$T_DIR/$name
    DB=$XDG_DATA_HOME/till/till.db
    t_tmux_start 100x34 "$TILL_BIN --set payment.sim.latency_ms=400 $*"
    t_wait_for "Empty sale" 10 >/dev/null
}
q() { sqlite3 "$DB" "$1"; }
DEV() { cat "$DB.sim-terminal" 2>/dev/null; }

# --- one terminal: approve, partial, decline, approve (then reversed) ---
start_till main --set payment.sim.script=approve,partial:100,decline,approve
t_keys 4028710122696 Enter F5                      # rice 2,99
t_keys 1 Enter
check "partial cash leaves a balance" t_wait_for "Still due: 1,99 €"
t_keys F6
check "terminal status shown while it works" t_wait_for "Insert or tap card"
check "while the terminal works only Esc (abort) works" t_footer_is "Esc Abort"
check "half cash, half card completes the sale" t_wait_for "CHANGE DUE: 0,00 €"
check "the terminal's receipt lines are on the Till receipt" t_wait_for "CARD PAYMENT (SIMULATED)"
check_eq "cash and card stored" "cash|100
card|199" "$(q 'select tender, amount from payments order by seq')"
check_eq "card intent settled with the sale" "completed" "$(q 'select state from payment_intents')"
t_keys Enter

t_keys 4028710122696 Enter F5 F6                    # partial:100 approves only 1,00
check "partial approval reduces the balance" t_wait_for "partial approval"
check "and the rest stays due" t_wait_for "Still due: 1,99 €"
t_keys F6                                            # decline
check "a decline is a clear message" t_wait_for "not approved"
check "and charges nothing" t_wait_for "Due                                             1,99 €"
t_keys Enter
check "cash pays the rest" t_wait_for "CHANGE DUE: 0,00 €"
t_keys Enter

t_keys 4028710122696 Enter F5
t_keys 1 F6                                          # approve 1,00 by card
check "card part approved" t_wait_for "Still due: 1,99 €"
t_keys Escape
check "Esc leaves the payment dialog" t_wait_gone "F6: card"
t_keys F8 y
check "cancelling reverses the card first" t_wait_for "Sale cancelled"
check_eq "the reversal reached the terminal" 1 "$(DEV | grep -c '^REVERSED')"
check_eq "journal says reversed" 1 "$(q "select count(*) from payment_intents where state = 'reversed'")"
check_eq "two sales saved, the cancelled one not" 2 "$(q 'select count(*) from sales')"
check "no card number anywhere" bash "$TILL_ROOT/tests/pan_scan.sh" --barcodes "$DB" "$XDG_DATA_HOME"

# --- failover: the first terminal is not reachable ---
start_till failover --set payment.terminals=front:sim,back:sim --set payment.front.script=unreachable \
    --set payment.back.script=approve --set payment.front.device_file=$T_DIR/front.dev --set payment.back.device_file=$T_DIR/back.dev
t_keys 4010433218190 Enter F5 F6
check "unreachable terminal: nothing charged, next one offered" t_wait_for "use terminal back"
check "the failover's footer: next terminal or other tender" t_footer_is "Enter Next terminal  Esc Other tender"
t_keys Enter
check "the second terminal takes the payment" t_wait_for "CHANGE DUE: 0,00 €"
check_eq "charged once, on the second terminal" "0 1" "$(grep -c APPROVED $T_DIR/front.dev 2>/dev/null || echo 0) $(grep -c APPROVED $T_DIR/back.dev)"

# --- unknown outcome: never re-sent elsewhere; asking again finds the truth ---
start_till unknown --set payment.terminals=front:sim,back:sim --set payment.front.script=disconnect \
    --set payment.back.script=approve --set payment.front.device_file=$T_DIR/ufront.dev --set payment.back.device_file=$T_DIR/uback.dev
t_keys 4010433218190 Enter F5 F6
check "a broken connection mid-payment is unknown" t_wait_for "Outcome unknown"
check "unknown: the footer offers asking again or the cashier's word" \
    t_footer_is "F6 Ask again  A Receipt says approved  N Receipt says not approved"
check "no other terminal is offered" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q 'use terminal back'"
t_keys Enter                                         # Enter must not fail over
sleep 0.3
check_eq "nothing sent to the second terminal" 0 "$(cat $T_DIR/uback.dev 2>/dev/null | wc -l)"
t_keys F6
check "asking again finds it approved: the sale completes" t_wait_for "CHANGE DUE: 0,00 €"
check_eq "charged exactly once" 1 "$(grep -c APPROVED $T_DIR/ufront.dev)"
check_eq "one card payment in the sale" "card|119" "$(q 'select tender, amount from payments')"

# --- a real ZVT terminal (the simulator) that takes the request and then goes silent:
# the outcome is unknown, so the sim terminal behind it must not be offered ---
ZVT_SIM=${ZVT_SIM:-$TILL_ROOT/build/zvt-sim}
"$ZVT_SIM" 0 approve_pan,silent "$T_DIR/zvt.journal" > "$T_DIR/zvt.port" &
T_PIDS="$T_PIDS $!"
for i in $(seq 50); do [ -s "$T_DIR/zvt.port" ] && break; sleep 0.1; done
ZPORT=$(head -n1 "$T_DIR/zvt.port")
start_till zvt --set payment.terminals=counter:zvt,spare:sim --set payment.counter.port=$ZPORT \
    --set payment.counter.timeout_ms=2000 --set payment.spare.device_file=$T_DIR/spare.dev
t_keys 4010433218190 Enter F5 F6
check "ZVT terminal shows its status on the till" t_wait_for "counter: Insert card"
check "a ZVT payment completes the sale" t_wait_for "CHANGE DUE: 0,00 €"
check "with the terminal's printed lines on the receipt" t_wait_for "KARTENZAHLUNG"
check "the full card number the terminal printed is masked" t_wait_for "Karte **** **** **** 1111"
check "and stored nowhere (database, receipt spool, state file)" \
    bash "$TILL_ROOT/tests/pan_scan.sh" --barcodes "$DB" "$XDG_DATA_HOME"
t_keys Enter 4010433218190 Enter F5 F6
check "a ZVT terminal that times out after the request: unknown" t_wait_for "Outcome unknown"
t_keys Enter
sleep 0.3
check_eq "the spare terminal was never asked" 0 "$(cat $T_DIR/spare.dev 2>/dev/null | wc -l)"
t_keys n
check "resolved by the cashier as not charged" t_wait_for "Recorded as not charged"

# --- unknown that the cashier resolves as not charged ---
start_till timeout --set payment.sim.script=timeout --set payment.sim.timeout_ms=500
t_keys 4010433218190 Enter F5 F6
check "no answer in time is unknown" t_wait_for "No answer from the terminal"
t_keys n
check "the cashier's word: not charged" t_wait_for "Recorded as not charged"
check_eq "journal records it" "not_charged" "$(q 'select state from payment_intents')"
check_eq "and the audit log who decided" 1 "$(q "select count(*) from audit_log where event = 'card_resolved'")"
t_keys Enter
check "cash completes it" t_wait_for "CHANGE DUE: 0,00 €"
finish
