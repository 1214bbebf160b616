#!/bin/bash
# End to end: staff on the real till in tmux (the demo's staff: cashier 1/1111,
# supervisor 2/2222, manager 9/9999).  Sign-on, five wrong PINs lock a staff member,
# a void after subtotal needs an override that a manager approves (both ids recorded),
# switching cashier keeps each one's open sale, the idle lock; no PIN or hash in the log
# or spool.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
q() { sqlite3 "$DB" "$1"; }
# sign_on ID PIN: from the sign-on screen
sign_on() {
    t_wait_for "Staff id:" 5 > /dev/null || return 1
    t_keys "$1" Enter
    t_wait_for "PIN for " 5 > /dev/null || return 1
    t_keys "$2" Enter
}

t_tmux_start 100x30 "$TILL_BIN --set staff.demo=yes --set staff.idle_lock_s=0"
check "the sign-on screen opens" t_wait_for "Sign on"
check "it shows the demo's PINs" t_wait_for "cashier 1 PIN 1111"
check "nobody is signed on" t_wait_for "Cashier (signed off)"
check_eq "the demo staff are in the database" "1|cashier 2|supervisor 9|manager" \
    "$(q "select id || '|' || role from staff order by id" | tr '\n' ' ' | sed 's/ $//')"
check_eq "the demo opens with a shift" 1 "$(q "select count(*) from shifts where state = 'open'")"
check_eq "PINs are stored as argon2id hashes" 3 "$(q "select count(*) from staff where pin_hash like '\$argon2id\$v=19\$%'")"

# Five wrong PINs lock the supervisor; then even the right PIN is refused.
for i in 1 2 3 4; do
    sign_on 2 0000
    t_wait_for "Unknown staff id or wrong PIN" 5 > /dev/null
done
check_eq "four wrong PINs are counted" 4 "$(q "select failed_pins from staff where id = '2'")"
sign_on 2 0000
check "the fifth locks for 30 s" t_wait_for "staff 2 is locked for 30 s"
sign_on 2 2222
check "the right PIN is refused while locked" t_wait_for "Staff 2 is locked for"
check "still signed off" t_wait_for "Cashier (signed off)"

sign_on 1 1111
check "the cashier signs on" t_wait_for "Signed on: Alex (cashier)"
check "the header names the cashier" t_wait_for "Cashier Alex"
check "the sale screen shows F9" t_footer_is "F1 Help  F2 Qty  F3 Void  F4 Search  F5 Pay  F8 Cancel sale  F9 Manager  F10 Quit"

# A void before the total is a correction; after F5 it needs a supervisor or manager.
t_keys 4010433218190 Enter
t_wait_for "Whole Milk 1L" 5 > /dev/null
t_keys 4028710122696 Enter
check "two lines" t_wait_for "TOTAL 4,18 €"
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys Escape
t_wait_gone "F6: card" 5 > /dev/null
t_keys F3
check "a void after subtotal asks for approval" t_wait_for "Approval needed"
check "it says what is asked" t_wait_for "void Basmati Rice 1kg after subtotal"
sign_on_override() { t_keys "$1" Enter; t_wait_for "PIN for " 5 > /dev/null; t_keys "$2" Enter; }
t_wait_for "Approver's staff id:" 5 > /dev/null
sign_on_override 9 0000
check "a wrong approver PIN is refused" t_wait_for "Unknown staff id or wrong PIN"
check "and the line is not voided" t_wait_for "TOTAL 4,18 €"
t_wait_for "Approver's staff id:" 5 > /dev/null
sign_on_override 9 9999
check "the manager approves the void" t_wait_for "Voided: Basmati Rice 1kg, approved by Max"
check "the total drops" t_wait_for "TOTAL 1,19 €"
check_eq "the override is recorded with both staff ids" 1 \
    "$(q "select count(*) from audit_log where event = 'override' and cashier = '1' and detail like 'void_after_subtotal by 1 approved by 9:%'")"
check_eq "the void names its approver" 1 "$(q "select count(*) from audit_log where event = 'line_void' and detail like '% approved by 9'")"

# Switch cashier: Alex's sale is kept for Alex while Max sells.
t_keys F12
check "F12 locks the screen" t_wait_for "Staff id:"
check "the lock says the sale is kept" t_wait_for "the open sale is kept for them"
sign_on 9 9999
check "the manager signs on" t_wait_for "Signed on: Max (manager)"
check "the manager starts with an empty sale" t_wait_for "Empty sale"
t_keys 4060013389086 Enter
check "the manager sells" t_wait_for "Semi-Skimmed Milk 1L"
t_keys F9
check "the manager menu opens" t_wait_for "Z report: count the cash"
t_keys l
check "signing off from the menu" t_wait_for "Max signed off; the open sale is kept"
sign_on 1 1111
check "Alex gets the kept sale back" t_wait_for "Welcome back, Alex: your open sale is here (2 lines)"
check "with its voided line and total" t_wait_for "TOTAL 1,19 €"
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys Enter
check "Alex's sale completes" t_wait_for "CHANGE DUE"
t_keys Enter
t_wait_for "Empty sale" 5 > /dev/null
check_eq "the sale is Alex's, in the open shift" "Alex|1|1|119" \
    "$(q "select cashier, staff_id, shift_id, total from sales")"
t_keys F12
sign_on 9 9999
check "Max's kept sale comes back too" t_wait_for "Welcome back, Max"
check "with Max's item" t_wait_for "Semi-Skimmed Milk 1L"

# Cancelling needs a supervisor: a cashier's F8 asks for approval.
t_keys F12
sign_on 1 1111
t_wait_for "Signed on: Alex" 5 > /dev/null
t_keys 4010433218190 Enter
t_wait_for "Whole Milk 1L" 5 > /dev/null
t_keys F8
check "a cashier's cancel asks for approval" t_wait_for "cancel the sale"
t_keys Escape
check "Esc at the id abandons the cancel" t_wait_for "Not approved: cancel the sale"
check "the sale is still there" t_wait_for "TOTAL 1,19 €"
# Quitting with the sale cancels it: the same command, the same permission (issue 21).
t_keys F10
check "quit asks first" t_wait_for "Quit and cancel the sale?"
t_keys y
check "quitting a cashier's sale asks for approval too" t_wait_for "Alex may not: cancel the sale"
check_eq "the sale is not cancelled" 0 "$(q "select count(*) from audit_log where event = 'sale_cancelled'")"
t_keys 9 Enter
t_wait_for "PIN for " 5 > /dev/null
t_keys 9999 Enter
check "a manager approves and till exits" t_wait_exit 10
check_eq "the cancel names the manager who approved it" 1 \
    "$(q "select count(*) from audit_log where event = 'sale_cancelled' and cashier = '1' and detail like '% approved by 9'")"

# The idle lock.
t_tmux_start 100x30 "$TILL_BIN --set staff.demo=yes --set staff.idle_lock_s=2"
sign_on 1 1111
check "signed on again" t_wait_for "Signed on: Alex"
check "two idle seconds lock the screen" t_wait_for "Locked after 2 s without a key" 15
check "the sign-on screen is back" t_wait_for "Staff id:"
t_keys F10
t_wait_exit 10

# No PIN and no hash outside the staff table.
leak=$(grep -rlE 'argon2id|\b(1111|2222|9999|0000)\b' "$XDG_DATA_HOME/till/till.db.log" "$XDG_DATA_HOME/till/spool" 2>/dev/null)
check_eq "no PIN or PIN hash in the log or the spool" "" "$leak"
check_eq "none in the audit log" 0 "$(q "select count(*) from audit_log where detail like '%argon2%' or detail like '%1111%' or detail like '%9999%'")"

# The session's sign-ons, overrides and voids form an intact hash chain (test_audit.c
# covers the breaks); a changed row is named by --verify-audit.
out=$("$TILL_BIN" --db "$DB" --verify-audit 2>&1); rc=$?
check_eq "--verify-audit finds the chain intact" 0 "$rc"
check "and says how many rows it checked" grep -qE "intact: ([1-9][0-9]+) rows on the chain" <<< "$out"
sqlite3 "$DB" "drop trigger audit_log_no_update; update audit_log set detail = 'nothing' where event = 'line_void'"
broken=$(q "select min(id) from audit_log where event = 'line_void'")
out=$("$TILL_BIN" --db "$DB" --verify-audit 2>&1); rc=$?
check_eq "a changed void is found" 1 "$rc"
check "and named by its row" grep -qF "BROKEN at row $broken: row $broken was changed" <<< "$out"
finish
