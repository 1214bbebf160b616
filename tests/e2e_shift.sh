#!/bin/bash
# End to end: a shift on the real till against the reference server.  The first manager
# is added with --add-staff, a cashier after them; the cashier opens a shift with a float,
# sells in cash and card, pays out (approved), drops cash to the safe, reads an X, and the
# manager closes it with a Z counted 0,50 short.  The Z's figures are the sales made; the
# server holds the shift once, and its staff feed (add, then delete) reaches the till.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup
SPOOL=$XDG_DATA_HOME/till/spool

out=$(printf '4321\n' | "$TILL_BIN" --add-staff Mia --role cashier 2>&1)
check "the first staff member must be a manager" grep -q "must be a manager" <<< "$out"
out=$(printf '4321\n' | "$TILL_BIN" --add-staff Mia --role manager 2>&1)
check "--add-staff creates the first manager" grep -q "added staff 1: Mia (manager)" <<< "$out"
out=$(printf '1\n0000\n5555\n' | "$TILL_BIN" --add-staff Joe 2>&1)
check "a second one needs a manager's PIN" grep -q "wrong PIN" <<< "$out"
out=$(printf '1\n4321\n5555\n' | "$TILL_BIN" --add-staff Joe 2>&1)
check "with it, a cashier is added" grep -q "added staff 2: Joe (cashier)" <<< "$out"
check_eq "no shift yet" 0 "$(q 'select count(*) from shifts')"

server_start "$SDB" "$PORT" || fail "server did not start"
t_tmux_start 100x34 "$TILL_BIN --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token \
    --set sync.pull_interval_ms=300 --set sync.backoff_max_ms=500 --set payment.sim.latency_ms=100 \
    --set staff.idle_lock_s=0 --set printer.driver=file --set printer.file.path=$T_DIR/printer.escpos"
t_wait_for "Staff id:" 10 > /dev/null
t_keys 2 Enter
t_wait_for "PIN for " > /dev/null
t_keys 5555 Enter
check "without a shift the cashier is asked for the float" t_wait_for "Float counted:"
# The float counted note by note (F2): no 500 to 50, four 20s, two 10s, then nothing.
t_keys F2
check "F2 counts by note, the largest first" t_wait_for "Pieces of 500,00 €:"
t_keys Enter Enter Enter Enter
t_wait_for "Pieces of 20,00 €:" 5 > /dev/null
t_keys 4 Enter
t_wait_for "Pieces of 10,00 €:" 5 > /dev/null
t_keys 2 Enter
check "the running total" t_wait_for "Note 7 of 15, counted so far 100,00 €"
for _ in 1 2 3 4 5 6 7 8; do t_keys Enter; done
check "then the coins, down to the cent" t_wait_for "Coin 15 of 15"
t_keys Enter
check "the shift opens" t_wait_for "Shift 1 open with a float of 100,00 €"

# Sales: 1,19 cash (exact); 2,99 by card; 1,19 cash from 5,00.
sell_one || fail "first sale"
t_keys 4028710122696 Enter
t_wait_for "Basmati Rice 1kg" 5 > /dev/null
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys F6
check "the card sale completes" t_wait_for "CHANGE DUE" 15
t_keys Enter
t_wait_for "Empty sale" 5 > /dev/null
t_keys 4010433218190 Enter
t_wait_for "Whole Milk 1L" 5 > /dev/null
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys 5 Enter
check "change from 5,00" t_wait_for "CHANGE DUE: 3,81 €"
t_keys Enter
t_wait_for "Empty sale" 5 > /dev/null

# Paid out 7,00 (the cashier needs the manager), then a drop of 50,00.
t_keys F9
t_wait_for "paid out: cash taken out" 5 > /dev/null
t_keys o
check "paying out asks for approval" t_wait_for "Approval needed"
t_keys 1 Enter
t_wait_for "PIN for " 5 > /dev/null
t_keys 4321 Enter
check "approved, the amount is asked" t_wait_for "Amount:"
t_keys 7 Enter
t_wait_for "Reason:" 5 > /dev/null
t_keys "window cleaner" Enter
check "the paid out is recorded" t_wait_for "Paid out 7,00 € recorded"
t_keys F9
t_wait_for "cash drop" 5 > /dev/null
t_keys d
t_wait_for "Approver's staff id:" 5 > /dev/null
t_keys 1 Enter
t_wait_for "PIN for " 5 > /dev/null
t_keys 4321 Enter
t_wait_for "Amount:" 5 > /dev/null
t_keys 50 Enter
t_wait_for "Reason:" 5 > /dev/null
t_keys Enter
check "the drop is recorded" t_wait_for "Cash drop 50,00 € recorded"
check_eq "both movements, approved by the manager" "drop|5000|2|1 paid_out|700|2|1" \
    "$(q "select kind || '|' || amount || '|' || staff_id || '|' || approved_by from cash_movements order by kind" | tr '\n' ' ' | sed 's/ $//')"

# X: read only, the cashier may.
t_keys F9
t_wait_for "X report: the shift" 5 > /dev/null
t_keys x
check "the X report is shown" t_wait_for "X REPORT  (read only, shift open)"
t_keys Enter
t_wait_gone "X REPORT" 5 > /dev/null
xr=$(ls "$SPOOL"/x-report-shift000001-*.txt 2>/dev/null | head -n 1)
check "the X report is in the spool" test -n "$xr"
check "X: expected cash 45,38" grep -qE "^Expected cash +45,38$" "$xr"
# printed_has TEXT: the file printer got it (printing runs from the queue, a moment later)
printed_has() {
    local n=0
    while [ "$n" -lt 100 ]; do
        grep -aq "$1" "$T_DIR/printer.escpos" 2>/dev/null && return 0
        sleep 0.1; n=$((n + 1))
    done
    return 1
}
check "the X report is printed too" printed_has "X REPORT  (read only, shift open)"
check_eq "X closed nothing" open "$(q 'select state from shifts')"

# Z: only a manager; counted 44,88 is 0,50 short.
t_keys F9
t_wait_for "Z report: count" 5 > /dev/null
t_keys z
check "the Z asks for a manager" t_wait_for "close the shift (Z report)"
t_keys 1 Enter
t_wait_for "PIN for " 5 > /dev/null
t_keys 4321 Enter
check "the manager is asked for the count" t_wait_for "Cash counted:"
t_type_slowly "44,88"
t_keys Enter
check "the Z report is shown" t_wait_for "Z REPORT  No. 1  (shift closed)"
# (the close's message, "Z 1: shift 1 closed. SHORT", gives way to the printer's)
check "the message names the Z, printed" t_wait_for "Z report 1 printed."
zr=$SPOOL/z-report-000001.txt
check "the Z report is in the spool" test -f "$zr"
check "and printed, counted cash and all" printed_has "Counted cash *44,88"
check "the Z's heading is printed" printed_has "Z REPORT  No. 1  (shift closed)"
# the Z's figures are the sales made, as stored
sales=$(q "select count(*) || ' ' || sum(total) from sales where shift_id = 1")
check_eq "three sales, 5,37 in all" "3 537" "$sales"
check "Z: sales 3, 5,37" grep -qE "^Sales +3 +5,37$" "$zr"
check "Z: cash 2,38" grep -qE "^  Cash +2,38$" "$zr"
check "Z: card 2,99" grep -qE "^  Card +2,99$" "$zr"
check "Z: paid out 7,00" grep -qE "^- Paid out +7,00$" "$zr"
check "Z: drops 50,00" grep -qE "^- Drops to the safe +50,00$" "$zr"
check "Z: expected 45,38" grep -qE "^Expected cash +45,38$" "$zr"
check "Z: counted 44,88" grep -qE "^Counted cash +44,88$" "$zr"
check "Z: short 0,50" grep -qE "^SHORT +-0,50$" "$zr"
# the simulated terminal's end-of-day: the one card payment it approved
check "Z: the terminal's end-of-day" grep -q "^Card terminal end-of-day$" "$zr"
check "Z: the till's card total" grep -qE "^Till card total +2,99$" "$zr"
check "Z: the terminal's total and count" grep -qE "^Terminal total +1 +2,99$" "$zr"
check "Z: by card type" grep -qE "^  [A-Za-z]+ +1 +2,99$" "$zr"
check "Z: no difference" grep -qE "^Card difference +0,00$" "$zr"
check_eq "the terminal closed its batch" 1 "$(grep -c '^END_OF_DAY' "$DB.sim-terminal")"
check_eq "the shift is closed with Z 1" "closed|1|4488" "$(q 'select state, z_number, counted_cash from shifts')"
check_eq "the tax classes add up to the sales" 537 "$(q 'select sum(gross) from sale_taxes t join sales s on s.id = t.sale_id where s.shift_id = 1')"
t_keys Enter
check "after the Z the next shift's float is asked" t_wait_for "Float counted:"
t_keys Escape
t_keys 4010433218190 Enter
check "no sale without a shift" t_wait_for "No shift is open"

# Everything reaches the server, once.
for _ in $(seq 200); do [ "$(q "select count(*) from outbox where state != 'sent'")" = 0 ] && break; sleep 0.1; done
check_eq "the outbox is drained" 0 "$(q "select count(*) from outbox where state != 'sent'")"
check_eq "the server holds the shift once" 1 "$(sq "select count(*) from shift_docs where kind = 'shift'")"
check_eq "and both cash movements" 2 "$(sq "select count(*) from shift_docs where kind = 'cash_movement'")"
check "its figures are the till's" sh -c "sqlite3 '$SDB' \"select payload from shift_docs where kind = 'shift'\" | grep -q '\"sales_total\":537.*\"over_short\":-50'"
check "with the terminal's reconciliation" sh -c "sqlite3 '$SDB' \"select payload from shift_docs where kind = 'shift'\" | grep -q '\"card_terminal\":{\"end_of_day\":\"ok\",\"terminal_total\":299,\"terminal_count\":1,\"difference\":0}'"

# The staff feed: a supervisor added on the server can sign on; a deleted one is gone.
echo 7777 | "$SERVER_BIN" --db "$SDB" staff add 7 Kim supervisor
for _ in $(seq 200); do [ "$(q "select count(*) from staff where id = '7'")" = 1 ] && break; sleep 0.1; done
check_eq "the new supervisor comes down" "Kim|supervisor|1" "$(q "select name, role, active from staff where id = '7'")"
check "with a hash, not a PIN" sh -c "sqlite3 '$DB' \"select pin_hash from staff where id = '7'\" | grep -q '^.argon2id.v=19'"
t_keys F9
t_wait_for "Sign off" 5 > /dev/null
t_keys l
t_wait_for "Staff id:" 5 > /dev/null
t_keys 7 Enter
t_wait_for "PIN for " 5 > /dev/null
t_keys 7777 Enter
check "the synced supervisor signs on, checked offline" t_wait_for "Signed on: Kim"
check_eq "the sign-on is in the audit log" 1 "$(q "select count(*) from audit_log where event = 'signon' and cashier = '7'")"
"$SERVER_BIN" --db "$SDB" staff role 7 cashier
for _ in $(seq 200); do [ "$(q "select role from staff where id = '7'")" = cashier ] && break; sleep 0.1; done
check_eq "a role change comes down" cashier "$(q "select role from staff where id = '7'")"
"$SERVER_BIN" --db "$SDB" staff delete 7
for _ in $(seq 200); do [ "$(q "select count(*) from staff where id = '7'")" = 0 ] && break; sleep 0.1; done
check_eq "a tombstone removes them" 0 "$(q "select count(*) from staff where id = '7'")"
check_eq "the till's own staff stay" 2 "$(q "select count(*) from staff")"
t_keys F10
t_wait_exit 10

# The audit chain went up with the rest, and the server found it whole.
chained=$(q "select count(*) from audit_log where hash is not null")
check_eq "the server holds every chained audit row" "$chained" "$(sq "select count(*) from audit_rows where terminal_id = 'T1'")"
check_eq "in order, up to the till's last" "$(q "select max(id) from audit_log")" "$(sq "select max(seq) from audit_rows")"
check "till-server audit: the chain is intact" sh -c "'$SERVER_BIN' --db '$SDB' audit | grep -q 'terminal T1: $chained rows, last .*, chain intact'"
# Someone deletes the newest audit row on the till, around the triggers (it had already
# gone up).  The rows written after it no longer follow what the server holds: flagged.
last=$(q "select max(id) from audit_log")
sqlite3 "$DB" "drop trigger audit_log_no_delete; delete from audit_log where id = $last;
    create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'the audit log is append-only'); end;"
t_tmux_start 100x34 "$TILL_BIN --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token \
    --set sync.pull_interval_ms=300 --set sync.backoff_max_ms=500 --set staff.idle_lock_s=0"
t_wait_for "Staff id:" 10 > /dev/null
t_keys 1 Enter
t_wait_for "PIN for " 5 > /dev/null
t_keys 4321 Enter
t_wait_for "Signed on" 10 > /dev/null
for _ in $(seq 200); do [ "$(sq "select count(*) from audit_breaks")" != 0 ] && break; sleep 0.1; done
check_eq "the server flags the break, naming the row after the gap" 1 \
    "$(sq "select count(*) from audit_breaks where terminal_id = 'T1' and seq = $((last + 1)) and reason like '%does not follow row $last%'")"
check "till-server audit says so and exits 1" sh -c "! '$SERVER_BIN' --db '$SDB' audit > '$T_DIR/audit.out'; grep -q 'CHAIN BROKEN' '$T_DIR/audit.out'"
check "the server's log says so" grep -q "AUDIT CHAIN BREAK: terminal T1 row $((last + 1))" "$T_DIR/server.log"
# (the till alone cannot tell: the rows after the gap chain on from the row before it,
# and the head moved on with them; only the server's copy shows what was taken out)
check "the till's own chain check passes: why the server keeps a copy" "$TILL_BIN" --verify-audit
check_eq "nothing the till sent was refused" 0 "$(q "select count(*) from outbox where state = 'parked'")"
t_keys F10
t_wait_exit 10
finish
