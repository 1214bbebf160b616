#!/bin/bash
# End to end: the rough edges a new user met in a whole store day (issue 22), one section
# per numbered point, each driven with the keys the issue gives.
. "$(dirname "$0")/lib.sh"
t_tmpdir
PIN=4711

# --- 1. the kiosk's on-screen receipt shows every figure whole (English and German) ---
kiosk_sale() { # name [language key]
    export XDG_DATA_HOME=$T_DIR/$1
    t_tmux_start 80x24 "$TILL_BIN --kiosk --set kiosk.attendant_pin=$PIN"
    t_wait_for "Scan your first item to start" 10 >/dev/null
    [ -n "${2:-}" ] && { t_keys "$2"; t_wait_for "W I L L K O M M E N" 5 >/dev/null; }
    t_keys 4010433218190 Enter
    t_wait_for "Whole Milk 1L" 10 >/dev/null
    t_keys 4028710122696 Enter
    t_wait_for "4,18 €" 10 >/dev/null
    t_keys 1
    t_wait_for "4,18 €" 10 >/dev/null
    t_keys 1
}
kiosk_sale en
check "kiosk: paid" t_wait_for "PAYMENT APPROVED" 15
check "kiosk receipt: TOTAL 4,18 €" sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -q 'TOTAL  *4,18 €'"
check "kiosk receipt: the card line's amount whole" \
    sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -Eq 'Card \*+4444  +4,18\$'"
check "kiosk receipt: the tax amount whole" \
    sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -Eq 'net 3,91  +0,27\$'"
kiosk_sale de 4
check "Kiosk (Deutsch): bezahlt" t_wait_for "Sie haben 4,18 € bezahlt." 15
check "Kiosk (Deutsch): the total whole" \
    sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -q 'TOTAL  *4,18 €'"
check "Kiosk (Deutsch): the card and tax amounts whole" \
    sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -Eq 'Card \*+4444  +4,18\$' &&
           tmux -L $T_TMUX capture-pane -p -t t | grep -Eq 'net 3,91  +0,27\$'"

# --- the cashier's till (the demo store), for the points below ---
export XDG_DATA_HOME=$T_DIR/cashier XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
q() { sqlite3 "$DB" "$1"; }
t_tmux_start 100x30 "$TILL_BIN"
check "the cashier's till starts" t_wait_for "Empty sale"

# --- 3. a whole-sale discount announces what it took off, not every reduction ---
t_keys 4028710122696 Enter                     # rice 2,99
t_wait_for "Basmati" >/dev/null
t_keys C-d; t_wait_for "10% or 2,50:" >/dev/null
t_type_slowly "10%"; t_keys Enter              # 0,30 off the rice line
check "a line discount announces its amount" t_wait_for "Discount 0,30 €"
t_keys 4010433218190 Enter                     # milk 1,19: 3,88 left
t_wait_for "TOTAL 3,88" >/dev/null
t_keys C-d; t_wait_for "10% or 2,50:" >/dev/null
t_type_slowly "20%"; t_keys F6                 # 20 % of 3,88 = 0,776: 0,78
check "the whole sale's 20 % is applied" t_wait_for "TOTAL 3,10"
check "the whole-sale discount announces its own 0,78 (not 1,08, every reduction)" \
    t_wait_for "Discount 0,78 €"
t_keys F8; t_wait_for "Cancel the whole sale?" >/dev/null; t_keys y
check "sale cancelled" t_wait_for "Empty sale"

# --- 4. the return dialog shows a voided line as voided, not as sold and paid ---
t_keys 4010433218190 Enter                     # milk 1,19
t_wait_for "Whole Milk" >/dev/null
t_keys '3*' Enter; t_wait_for "Quantity 3" >/dev/null
t_keys 4028710122696 Enter                     # rice 3 x 2,99 = 8,97
t_wait_for "8,97" >/dev/null
t_keys F3                                      # voided
check "the rice is voided" t_wait_for "VOID Basmati Rice 1kg"
t_keys F5 Enter
check "paid in cash" t_wait_for "CHANGE DUE: 0,00"
t_keys Enter; t_wait_for "Empty sale" >/dev/null
RNO=$(q "select receipt_no from sales order by id desc limit 1")
t_keys C-r; t_wait_for "Receipt:" >/dev/null
t_keys "$RNO" Enter
check "the receipt's lines are shown" t_wait_for "Return: receipt $RNO"
check "the voided line says so" t_wait_for "Basmati Rice 1kg (voided, not sold)"
check "it is not listed as sold and paid" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q '8,97'"
t_keys Down Enter
check "picking it says why nothing comes back" t_wait_for "was voided on that sale"
t_keys Escape; t_wait_gone "Return: receipt" >/dev/null

# --- a till with staff (the demo's: 1/1111, 2/2222) and a customer with gold prices ---
export XDG_DATA_HOME=$T_DIR/staff
DB=$XDG_DATA_HOME/till/till.db
sign_on() { # ID PIN
    t_wait_for "Staff id:" 5 >/dev/null || return 1
    t_keys "$1" Enter
    t_wait_for "PIN for" 5 >/dev/null || return 1
    t_keys "$2" Enter
}
t_tmux_start 100x30 "$TILL_BIN --set staff.demo=yes --set staff.idle_lock_s=0"
check "the staff till starts" t_wait_for "Staff id:"
q "insert into customers values ('C1', 'Anna Gold', 'gold', '9990001');
   insert into promotions(id, kind, name, sku, price, segment)
       values (1, 'segment_price', 'gold milk', 'SKU10001', 99, 'gold');
   insert into promotion_targets values ('sku:SKU10001', 1);"

# --- 6. the previous cashier's customer stays with their sale, not on the next cashier's ---
sign_on 1 1111; t_wait_for "Empty sale" >/dev/null
t_keys 9990001 Enter                           # Anna Gold's loyalty card
check "the customer is on the sale" t_wait_for "Customer Anna Gold (gold)"
t_keys 4010433218190 Enter
check "at her gold price" t_wait_for "TOTAL 0,99"
t_keys F12
sign_on 2 2222
check "the next cashier starts an empty sale" t_wait_for "Empty sale"
check "without the previous cashier's customer" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q 'Anna Gold'"
t_keys 4010433218190 Enter
check "and at the shelf price" t_wait_for "TOTAL 1,19"
t_keys F8; t_wait_for "Cancel the whole sale?" >/dev/null; t_keys y; t_wait_for "Empty sale" >/dev/null
t_keys 9990001 Enter                           # a customer on an empty sale...
t_wait_for "Customer Anna Gold (gold)" >/dev/null
t_keys F12
sign_on 1 1111                                 # ...is not handed over either
check "the first cashier's sale comes back" t_wait_for "your open sale is here"
check "with her customer and her price" sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -q 'Customer Anna Gold (gold)' &&
    tmux -L $T_TMUX capture-pane -p -t t | grep -q 'TOTAL 0,99'"

# --- 5. the customer's name on the receipt ---
t_keys F5 Enter
check "paid" t_wait_for "CHANGE DUE: 0,00"
check "the receipt names the customer" t_wait_for "Customer: Anna Gold"
check_eq "the sale carries her id" "C1" "$(q "select customer_id from sales order by id desc limit 1")"
t_keys Enter; t_wait_for "Empty sale" >/dev/null
t_keys 9990001 Enter                           # a customer on an empty sale...
t_wait_for "Customer Anna Gold (gold)" >/dev/null
t_keys F12
sign_on 2 2222                                 # ...is not handed to the next cashier
t_wait_for "Empty sale" >/dev/null
check "an empty sale's customer is not handed over" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q 'Anna Gold'"
t_keys 4010433218190 Enter
check "nor her price" t_wait_for "TOTAL 1,19"

# --- 10. a garbled code, instructions gone with their dialog, the PIN prompt's name ---
t_keys 40104332l8190 Enter                     # a letter l among the digits
check "letters among the digits: the code is garbled, not an unknown item" \
    t_wait_for "Barcode 40104332l8190 is garbled"
check "the garbled scan added nothing" t_wait_for "TOTAL 1,19"
t_keys 2110020000008 Enter                     # bananas, per kg: the weight dialog
check "the weight dialog gives its instructions" t_wait_for "Bananas is sold by weight: enter kg"
t_keys Escape
t_wait_gone "Weight in kg" >/dev/null
check "Esc takes the weight dialog's instructions with it" t_wait_gone "sold by weight: enter kg"
t_keys C-p
check "the park dialog gives its instructions" t_wait_for "Park this sale: type a label"
t_keys Escape
check "Esc takes the park dialog's instructions with it" t_wait_gone "Park this sale: type a label"
check "the sale is still there" t_wait_for "TOTAL 1,19"
t_keys F12
t_wait_for "Staff id:" >/dev/null
t_keys 1 Enter
check "the PIN prompt names the person" t_wait_for "PIN for Alex (1):"
t_keys Escape
t_wait_for "Staff id:" >/dev/null
t_keys 77 Enter
check "an id nobody has: the prompt names the id" t_wait_for "PIN for 77:"

# --- 2. text that does not fit is cut at a word (or a whole key), with an ellipsis ---
t_tmux_start 80x24 "$TILL_BIN --set staff.demo=yes --set staff.idle_lock_s=0"
sign_on 1 1111
t_wait_for "Empty sale" >/dev/null
t_wait_for "F1 Help" >/dev/null
footer=$(t_screen | tail -n 1 | sed 's/ *$//')
check "the footer at 80 columns shows whole keys ('$footer')" \
    sh -c "echo '$footer' | grep -Eq '(F10 Quit|[a-z] …)\$'"
check "not 'F10 Q'" sh -c "! echo '$footer' | grep -Eq 'F10 [A-Z]?\$|[A-Za-z]…\$'"
t_keys 40104332l8190 Enter
t_wait_for "is garbled" >/dev/null
msg=$(t_screen | grep "is garbled" | sed 's/ *$//')
check "a long message is cut after a whole word, with an ellipsis ('$msg')" \
    sh -c "echo '$msg' | grep -Eq '[a-z)] …\$|digits\)\$'"
check "not mid-word" sh -c "! echo '$msg' | grep -q 'num…\|numb…\|numbe…'"

finish
