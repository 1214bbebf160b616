#!/bin/bash
# End to end: an action has one door (app/commands.c).  As a cashier (demo staff 1/1111),
# F8 asks for approval, Esc abandons it, and F10 then y -- quitting, which cancels the sale
# -- asks for the same approval instead of cancelling; F11 opens the stock lookup; F1
# lists every key the footer shows; keys.sale moves a command to another key.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
q() { sqlite3 "$DB" "$1"; }
sign_on() {
    t_wait_for "Staff id:" 5 > /dev/null || return 1
    t_keys "$1" Enter
    t_wait_for "PIN for " 5 > /dev/null || return 1
    t_keys "$2" Enter
}

t_tmux_start 100x30 "$TILL_BIN --set staff.demo=yes --set staff.idle_lock_s=0"
sign_on 1 1111
check "the cashier signs on" t_wait_for "Signed on: Alex (cashier)"
t_keys 4010433218190 Enter
check "an item in the cart" t_wait_for "TOTAL 1,19 €"

# F8 -> Esc -> F10 -> y
t_keys F8
check "F8 asks for approval" t_wait_for "Alex may not: cancel the sale"
t_keys Escape
check "Esc abandons it" t_wait_for "Not approved: cancel the sale"
t_keys F10
check "F10 asks whether to quit and cancel" t_wait_for "Quit and cancel the sale?"
t_keys y
check "y asks for the same approval" t_wait_for "Alex may not: cancel the sale"
check "the sale is still open" t_wait_for "TOTAL 1,19 €"
check_eq "nothing was cancelled" 0 "$(q "select count(*) from audit_log where event = 'sale_cancelled'")"
t_keys Escape
check "Esc leaves the sale open" t_wait_for "Not approved: cancel the sale"
check "the till still runs" bash -c "! { $(declare -f t_pane_dead); T_TMUX=$T_TMUX; t_pane_dead; }"

# F11: the stock lookup, from the sale screen with staff
t_keys F11
check "F11 opens the stock lookup" t_wait_for "Stock lookup"
t_keys Escape
t_wait_gone "Stock lookup" 5 > /dev/null

# F1: every key the footer shows is in the help
footer=$(t_screen | tail -n 1)
t_keys F1
t_wait_for "Help" 5 > /dev/null
help=$(t_screen)
missing=""
for key in $(grep -oE '(F[0-9]+|Ctrl-[A-Z])' <<< "$footer"); do
    grep -qE "^[^A-Za-z]*│? *$key( |/)" <<< "$help" || grep -qE "[│ ]$key +[a-z]" <<< "$help" || missing="$missing $key"
done
check_eq "F1 lists every key of the footer ($(echo $footer | tr -s ' '))" "" "$missing"
check "F1 lists F11" grep -qE "F11 +stock lookup" <<< "$help"
t_keys Escape
t_keys F12
t_wait_for "Staff id:" 5 > /dev/null
t_keys F10
t_wait_exit 10

# keys.sale: the stock lookup moved to Ctrl-L, F11 free
t_tmux_start 100x30 "$TILL_BIN --set staff.demo=yes --set staff.idle_lock_s=0 --set 'keys.sale=stock-lookup:Ctrl-L'"
sign_on 1 1111
t_wait_for "Barcode:" 10 > /dev/null
t_keys C-l
check "keys.sale moves the stock lookup to Ctrl-L" t_wait_for "Stock lookup"
t_keys Escape
t_keys F1
check "the help says so" t_wait_for "Ctrl-L"
t_keys Escape
t_keys F10
t_wait_exit 10
out=$("$TILL_BIN" --set 'keys.sale=stock-lookup:F8' 2>&1 < /dev/null); rc=$?
check_eq "two actions on one key are refused" 1 "$rc"
check "saying which" grep -qF "keys.sale: cancel-sale and stock-lookup are both on F8" <<< "$out"
out=$("$TILL_BIN" --set 'keys.sale=stock-lookup:Ctrl-C' --check-config 2>&1); rc=$?
check_eq "--check-config refuses a bad key" 1 "$rc"
check "naming it" grep -qF "keys.sale: 'Ctrl-C' is not a key" <<< "$out"
finish
