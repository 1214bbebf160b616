#!/bin/bash
# End to end: the real till binary in a real terminal (tmux). Scan three items, one with a
# multiplier, void one, pay cash with change; check the screen and the database.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db

t_tmux_start 100x30 "$TILL_BIN"
check "sale screen opens on the demo store" t_wait_for "Till Demo Store"
check "footer shows the keys" t_wait_for "F5 Pay"

t_keys 4010433218190 Enter                  # Whole Milk 1L, 1,19
check "first item on screen" t_wait_for "Whole Milk 1L"
t_keys '3*' Enter                            # multiplier, then scan
check "multiplier is announced" t_wait_for "Quantity 3"
t_keys 4028710122696 Enter                  # Basmati Rice 1kg x3, 2,99 each
check "multiplied line shows 8,97" t_wait_for "8,97"
t_keys 4060013389086 Enter                  # Semi-Skimmed Milk 1L, 1,09
check "third item on screen" t_wait_for "Semi-Skimmed Milk 1L"
check "total of three lines" t_wait_for "TOTAL 11,25 €"

t_keys 4000000000000 Enter                  # bad check digit
check "garbled barcode is a clear error" t_wait_for "wrong check digit"
t_keys 4000000000013 Enter                  # valid but unknown
check "unknown barcode is a clear error" t_wait_for "Unknown barcode 4000000000013"
check "bad codes changed nothing" t_wait_for "TOTAL 11,25 €"

t_keys F3                                    # void the selected (last) line
check "voided line stays visible" t_wait_for "VOID Semi-Skimmed Milk 1L"
check "total without the voided line" t_wait_for "TOTAL 10,16 €"

t_keys F5
check "payment dialog opens" t_wait_for "F6: card"
check "the payment dialog's footer shows its keys, not the sale screen's" \
    t_footer_is "Enter Cash  F6 Card  F7 Voucher  F8 Cancel sale  Esc Back"
t_keys F7
check "a voucher needs its value" t_wait_for "Type the voucher's value"
t_keys 20 Enter
check "change due is shown" t_wait_for "CHANGE DUE: 9,84 €"
check "the receipt's footer shows its keys" t_footer_is "Enter Next customer  Up/Down Scroll  G Gift  F6 Printer  F10 Quit"
check "receipt is shown" t_wait_for "Thank you!"

q() { sqlite3 "$DB" "$1"; }
check_eq "exactly one sale" 1 "$(q 'select count(*) from sales')"
check_eq "sale total" 1016 "$(q 'select total from sales')"
check_eq "three lines stored, one voided" "3|1" "$(q "select count(*), sum(voided) from sale_lines")"
check_eq "multiplied line quantity" 3000 "$(q "select qty from sale_lines where sku = '$(sqlite3 "$DB.catalog" "select sku from products p join barcodes b on b.product_id = p.id where b.code = '4028710122696'")'")"
check_eq "one cash payment with change" "cash|1016|2000|984" "$(q 'select tender, amount, tendered, change from payments')"
check_eq "one outbox row" 1 "$(q "select count(*) from outbox where kind = 'order' and state = 'pending'")"
check "outbox row is the order JSON" sh -c "sqlite3 '$DB' 'select payload from outbox' | grep -q '\"total\":1016'"
check "receipt spooled" sh -c "grep -l 'TOTAL' '$XDG_DATA_HOME'/till/spool/receipt-000001-*.txt"

t_keys Enter
check "next customer: empty sale" t_wait_for "Empty sale"
t_keys F10
check "till exits on F10" t_wait_exit 5
finish
