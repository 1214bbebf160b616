#!/bin/bash
# End to end: help, search as you type, weighed items, quantity change, cancel, resize
# below 80x24 and back, Ctrl-C with and without an open sale.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
q() { sqlite3 "$DB" "$1"; }

t_tmux_start 100x30 "$TILL_BIN"
check "sale screen opens" t_wait_for "Empty sale"

check "the sale screen's footer shows its function keys" \
    t_footer_is "F1 Help  F2 Qty  F3 Void  F4 Search  F5 Pay  F8 Cancel sale  F10 Quit"
t_keys F1
check "help explains the keys" t_wait_for "void the selected line"
check "help lists the payment dialog's keys too" t_wait_for "Paying:   Enter Cash  F6 Card  F7 Voucher"
check "help's footer: only the key that closes it" t_footer_is "Esc Close"
t_keys Escape
check "help closes" t_wait_gone "void the selected line"

t_keys F4
check "search opens" t_wait_for "Search product"
check "search's footer shows its keys" t_footer_is "Enter Add  F2 Stock  Up/Down Choose  Esc Close"
t_keys -l "whisk"
check "search finds as you type" t_wait_for "Whisky 12 Years"
t_keys Enter
check "chosen product added" t_wait_for "TOTAL 34,99 €"
check "an age-restricted item asks for the age" t_wait_for "customers of 18 or older only"
check "the age check's footer shows its keys" t_footer_is "Y Looks over the age  Enter Date of birth  N Refuse"
t_keys y
t_wait_gone "Date of birth:" > /dev/null

t_keys 2110020000008 Enter                      # Bananas, per kg
check "weighed item asks for the weight" t_wait_for "Weight in kg"
check "the prompt's footer shows its keys" t_footer_is "Enter Confirm  Esc Cancel"
t_keys -l "1,5"
t_keys Enter
check "weighed line priced by weight" t_wait_for "2,69"    # 1.79 x 1.5 = 2.685 -> 2.69

t_keys F2
check "quantity dialog opens" t_wait_for "New quantity"
t_keys 2 Enter
check "quantity changed" t_wait_for "3,58"                 # 2 kg bananas

t_keys 4010433218190 Enter
t_keys F2
t_keys -l "1.5"
t_keys Enter
check "half a bottle is refused" t_wait_for "whole pieces"
t_keys Escape
check "the quantity dialog closes" t_wait_gone "New quantity"

tmux -L "$T_TMUX" resize-window -t t -x 60 -y 20 2>/dev/null || tmux -L "$T_TMUX" resize-pane -t t -x 60 -y 20
check "too small terminal: clear message" t_wait_for "at least 80x24"
tmux -L "$T_TMUX" resize-window -t t -x 100 -y 30 2>/dev/null || tmux -L "$T_TMUX" resize-pane -t t -x 100 -y 30
check "back to size: sale intact" t_wait_for "TOTAL 39,76 €"

t_keys F8
check "cancel asks first" t_wait_for "Cancel the whole sale?"
check "the confirmation's footer shows y and n/Esc" t_footer_is "y Yes, cancel the sale  n/Esc No, go back"
t_keys n
check "no keeps the sale" t_wait_for "TOTAL 39,76 €"
t_keys F8 y
check "yes cancels" t_wait_for "Sale cancelled"
check_eq "a cancelled sale is not a sale" 0 "$(q 'select count(*) from sales')"
check_eq "the cancel is in the audit log" 1 "$(q "select count(*) from audit_log where event = 'sale_cancelled'")"

t_keys 4010433218190 Enter
check "item added" t_wait_for "Whole Milk 1L"
t_keys C-c
check "Ctrl-C with items asks first" t_wait_for "Quit and cancel the sale?"
t_keys Escape
check "Esc keeps the sale" t_wait_gone "Quit and cancel the sale?"
t_keys F5 Enter
check "exact-amount payment" t_wait_for "CHANGE DUE: 0,00 €"
t_keys C-c
check "Ctrl-C after a completed sale quits" t_wait_exit 5
check_eq "the completed sale survived" 1 "$(q 'select count(*) from sales')"
check_eq "with its outbox row" 1 "$(q 'select count(*) from outbox')"
finish
