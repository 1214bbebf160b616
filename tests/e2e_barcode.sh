#!/bin/bash
# End to end: scale labels and GS1 codes in the real till. A weight label sells its weight
# without asking, an expired GS1 label is flagged on the line, a bad label or a garbled
# EAN scan changes nothing.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
q() { sqlite3 "$DB" "$1"; }

t_tmux_start 100x30 "$TILL_BIN"
check "sale screen opens" t_wait_for "Empty sale"

t_keys 2110020015002 Enter                       # Bananas, 1.500 kg on the label
check "weight label adds the item" t_wait_for "Bananas"
check "priced by the label's weight" t_wait_for "2,69"  # 1.79 x 1.5 = 2.685 -> 2.69
check "without asking for the weight" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q 'Weight in kg'"

t_keys -l "]C10104010433218190172001011"
t_keys -l "0LOT42"
t_keys Enter                                     # Whole Milk, (17) 2020-01-01, (10) LOT42
check "GS1 code finds the item" t_wait_for "Whole Milk 1L"
check "expired item is flagged on the line" t_wait_for "(EXPIRED)"
check "and in the message" t_wait_for "is EXPIRED"

# a scanner sending AIM identifiers: "]E0" claims EAN-13, so this garbled read must not
# sell SKU10001 (Whole Milk) as an internal code
t_keys -l "]E0SKU10001"
t_keys Enter
check "garbled EAN scan says so" t_wait_for "garbled scan"
check "and sells nothing" t_wait_for "TOTAL 3,88 €"

t_keys 2110020015003 Enter
check "label with a bad check digit is refused" t_wait_for "wrong check digit"
check "bad label changed nothing" t_wait_for "TOTAL 3,88 €"

t_keys F5
check "payment dialog opens" t_wait_for "F6: card"
t_keys Enter
check "paid" t_wait_for "Thank you!"
check_eq "weight from the label stored" "1500|2110020015002" "$(q "select qty, barcode from sale_lines where line_no = 1")"
check_eq "GS1 line stored with the GTIN" "1000|4010433218190" "$(q "select qty, barcode from sale_lines where line_no = 2")"
t_keys Enter
t_keys F10
check "till exits" t_wait_exit 5
finish
