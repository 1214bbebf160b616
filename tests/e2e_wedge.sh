#!/bin/bash
# Keyboard-wedge scanners: a burst + Enter is a scan on the sale screen and in the dialogs
# that take scans; it is never typed into an unrelated field.  A person typing the same
# characters slowly is typing, and so is a fast burst in a dialog that expects typed input
# (an amount, a weight, a quantity): only a product code is a scan there.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db

t_tmux_start 100x30 "$TILL_BIN"
check "till starts" t_wait_for "Empty sale"

t_keys 4010433218190 Enter
check "a burst on the sale screen adds the item" t_wait_for "Whole Milk 1L"
t_type_slowly '2*'
t_keys 4028710122696 Enter
check "typed multiplier, then a scan: two bags of rice" t_wait_for "5,98"

t_keys F5
check "payment dialog open" t_wait_for "F6: card"
t_keys 4060013389086 Enter
check "a scan in the payment dialog is refused with a message" t_wait_for "Scan of 4060013389086 ignored"
check "and nothing was typed into the cash field" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q 'Amount: *[0-9]'"
check "the sale is unchanged" t_wait_for "TOTAL 7,17 €"
# A dialog that expects typed input takes a fast burst as typed input (only a product
# code is still a scan there, refused above): a cashier typing an amount quickly pays it.
t_keys 10,00 Enter
check "a fast burst typed into the amount pays 10,00" t_wait_for "CHANGE DUE: 2,83 €"

t_keys 4060013389086 Enter
check "a scan on the receipt starts the next sale" t_wait_for "Semi-Skimmed Milk 1L"
check "with only that item" t_wait_for "TOTAL 1,09 €"

t_keys F4
t_type_slowly "cola"
check "search shows results" t_wait_for "Cola 1.5L"
t_keys 4010433218190 Enter
check "a scan in the search dialog adds the scanned item" t_wait_for "Whole Milk 1L"
check "and closes the search" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q 'Search product'"

# A weight typed quickly lands in the weight field, not in "Scan of 0,754 ignored".
t_keys 2110020000008 Enter
check "a banana without a weight asks for it" t_wait_for "Weight in kg"
t_keys 0,754 Enter
check "a weight typed fast is the weight: 0,754 kg x 1,79 = 1,35" t_wait_for "1,35"
check "and not a refused scan" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q 'Scan of 0,754'"
t_keys F2
check "the quantity dialog opens" t_wait_for "New quantity:"
t_keys 12 Enter
check "a quantity typed fast is the quantity: 12 kg of bananas" t_wait_for "12,000 kg"
check_eq "one sale so far" 1 "$(sqlite3 "$DB" 'select count(*) from sales')"
finish
