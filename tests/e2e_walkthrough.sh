#!/bin/bash
# End to end, at 80x24 as a new user meets Till (issue 9's walk-through): a slip like
# 99999* asks first and its columns stay apart, refusals name their real reason, cash far
# above the amount due asks first, quantities and rates follow the money style, the cart
# scrolls with markers above and below, the payment dialog fits with many tenders,
# cancelling says what happens to what was paid, umlauts reach the search, a scale
# label's weight cannot be edited, Items counts pieces, and an error rings the bell.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
q() { sqlite3 "$DB" "$1"; }
MILK=4010433218190          # Whole Milk 1L, 1,19, sold each
WHISKY=4072343098057        # Whisky 12 Years 0.7L, 34,99
BANANA_LABEL=2110020015002  # Bananas 1,79/kg, 1,500 kg on the scale label

# row N of the screen (1-based), as text
row() { t_screen | sed -n "${1}p"; }
# t_row_is N TEXT: waits until row N starts with TEXT (after leading spaces)
t_row_starts() {
    n=200
    while [ "$n" -gt 0 ]; do
        row "$1" | sed 's/^ *//' | grep -qF -- "$2" && return 0
        sleep 0.05; n=$((n - 1))
    done
    echo "--- row $1 while waiting for '$2':"; row "$1"
    return 1
}
# t_field TEXT: types TEXT into the open field (released as typing, not a scan) and waits
# until the field shows it.
t_field() { t_keys -l "$1"; t_wait_for "$2$1"; }
bell() { tmux -L "$T_TMUX" display-message -p -t t '#{window_bell_flag}'; }

# The catalog: the demo's, and one name with an umlaut.
mkdir -p "$XDG_DATA_HOME/till"
printf 'sku,barcode,name,price,unit,tax_class,age_restricted\nSKU90001,4000000000020,Bircher Müsli 750g,349,each,red,0\n' > "$T_DIR/muesli.csv"
"$TILL_BIN" --import-catalog "$TILL_ROOT/assets/demo-catalog.csv" > /dev/null &&
    "$TILL_BIN" --import-catalog "$T_DIR/muesli.csv" > /dev/null
check_eq "the catalog holds the demo and the Müsli" 1 "$(sqlite3 "$DB.catalog" "select count(*) from products where name = 'Bircher Müsli 750g'")"
grep -q "^SKU[0-9]*,$WHISKY,Whisky 12 Years" "$TILL_ROOT/assets/demo-catalog.csv" || fail "the demo catalog's whisky moved"

t_tmux_start 80x24 "$TILL_BIN"
check "sale screen opens at 80x24" t_wait_for "Empty sale"

# --- 99999* asks first; no keeps the cart, yes adds; the columns stay apart ---
t_keys -l "99999*$WHISKY"; t_keys Enter
check "a quantity above the limit asks first" t_wait_for "Add 99999 x Whisky 12 Years 0.7L = 3.498.965,01 €?"
check "and says why" t_wait_for "more than 100 at once"
check "Enter is no answer to it" t_footer_is "y Yes, it is right  n/Esc No, correct it"
t_keys n
check "no: nothing added" t_wait_for "Not added."
check "the sale is still empty" t_wait_for "TOTAL 0,00 €"
t_keys -l "99999*$WHISKY"; t_keys Enter
t_wait_for "Add 99999 x" > /dev/null
t_keys y
check "yes: the line is added" t_wait_for "TOTAL 3.498.965,01 €"
check "whisky asks for the customer's age (18, from the catalog)" t_wait_for "customers of 18 or older only"
t_keys y
check "the cashier says the customer looks over 18" t_wait_for "Age checked (looks over 18)"
check "price and total columns stay apart" sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -qE '  34,99  +3\.498\.965,01\$'"
check "the headings stay apart too" sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -qE 'Qty  +Price  +Total\$'"
check "the total stays clear of the tax summary" sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -qE 'std 19% [0-9.,]+  +TOTAL 3\.498\.965,01 €'"
check "Items counts pieces, not lines" t_wait_for "Items 99999 "

# --- every refusal names its real reason ---
t_keys F2
check "quantity dialog" t_wait_for "New quantity:"
t_field 1000000 "New quantity: "; t_keys Enter
check "F2 1000000: too many, not 'above zero'" t_wait_for "Quantity not changed: at most 100000 pieces or kg on one line"
t_field 0 "New quantity: "; t_keys Enter
check "F2 0: above zero" t_wait_for "Quantity not changed: the quantity must be above zero"
t_field 1,5 "New quantity: "; t_keys Enter
check "F2 1,5 of a bottle: whole pieces" t_wait_for "items sold each are whole pieces"
t_field 2,5555 "New quantity: "; t_keys Enter
check "F2 with four decimals: says so" t_wait_for "'2,5555' has more than 3 decimals"
t_field abc "New quantity: "; t_keys Enter
check "F2 abc: not a number" t_wait_for "'abc' is not a number"
t_field 150 "New quantity: "; t_keys Enter
check "F2 150: asks first" t_wait_for "Change to 150 x Whisky 12 Years 0.7L = 5.248,50 €?"
t_keys Escape
check "no: back in the quantity dialog" t_wait_for "Quantity not changed: type it again"
t_field 2 "New quantity: "; t_keys Enter
check "F2 2: changed without a question" t_wait_for "TOTAL 69,98 €"
check "Items follows the pieces" t_wait_for "Items 2 "

# --- EU style: quantities, rates and examples with a comma ---
t_keys -l "0,5*"; t_keys Enter
check "a pending quantity in the store's style" t_wait_for "Barcode (x0,5):"
t_keys Escape
t_wait_gone "Barcode (x0,5)" > /dev/null
t_keys 2110020000008 Enter                      # Bananas by the kg: asks the weight
check "the weight prompt" t_wait_for "Weight in kg:"
t_field 0 "Weight in kg: "; t_keys Enter
check "weight 0: above zero, the example in the store's style" t_wait_for "the weight must be above zero. Type kg, e.g. 0,750"
t_field 1,25 "Weight in kg: "; t_keys Enter
check "a weighed quantity with a comma" t_wait_for "1,250 kg"
check "a 7 % rate without decimals" t_wait_for "red 7% "

# --- a scale label's weight is the scale's ---
t_keys $BANANA_LABEL Enter
check "the label's weight is on the line" t_wait_for "1,500 kg"
t_keys F2
check "F2 on a label line refuses with the reason and the way" t_wait_for "The label fixes this weight and price: void the line (F3) and weigh again"
check "and no quantity dialog opens" t_footer_is "F1 Help  F2 Qty  F3 Void  F4 Search  F5 Pay  F8 Cancel sale  F10 Quit"

# --- cash far above the amount due asks first ---
t_keys F3                                       # void the label line, and the whisky
t_wait_for "Voided: Bananas" > /dev/null
t_keys Up Up F3
t_wait_for "Voided: Whisky" > /dev/null
check "the sale is now the weighed bananas" t_wait_for "TOTAL 2,24 €"     # 1.79 x 1.25
t_keys F5
check "payment dialog" t_wait_for "Amount:"
t_field 1234,50 "Amount: "; t_keys Enter
check "cash 500 times the due asks first" t_wait_for "Cash 1.234,50 € for 2,24 € due: change 1.232,26 €?"
t_keys n
check "no: the cash is not taken" t_wait_for "Cash not taken: type the amount again"
t_field 50 "Amount: "; t_keys Enter
check "a 50 note on a small sale is taken without a question" t_wait_for "CHANGE DUE: 47,76 €"
t_keys Escape
t_wait_for "Next customer" > /dev/null

# --- the cart scrolls with markers above and below, PgUp/PgDn/Home/End ---
for i in $(seq 1 20); do t_keys $MILK Enter; t_wait_for "Items $i " > /dev/null; done
check "twenty lines: a marker above, on the heading row" t_wait_for "^ 4 more above (PgUp)"
check "the marker leaves the last line's total alone" t_row_starts 18 "20 Whole Milk 1L"
check "the totals row is intact" t_row_starts 20 "Items 20  incl. tax  red 7% 1,56"
t_keys Home
check "Home: the first line" t_row_starts 3 "1 Whole Milk 1L"
check "a marker below, on the rule" t_wait_for "v 4 more below (PgDn)"
t_keys End
check "End: the last line again" t_row_starts 18 "20 Whole Milk 1L"
t_keys PPage
check "PgUp: a page up" t_row_starts 3 "1 Whole Milk 1L"
t_keys NPage
check "PgDn: a page down" t_wait_for "^ 4 more above (PgUp)"

# --- the payment dialog fits 80x24 with many tenders, above the totals ---
t_keys F5
t_wait_for "Amount:" > /dev/null
for i in $(seq 1 9); do
    t_field 1 "Amount: "; t_keys Enter
    t_wait_for "Still due: $((23 - i)),80 €" > /dev/null || fail "cash payment $i"
done
check "tenders that do not fit are summed on one row" t_wait_for "5 earlier payments"
check "the totals row stays visible" t_row_starts 20 "Items 20"
check "the message row stays visible" t_row_starts 21 "1,00 € cash taken. Still due: 14,80 €"
check "the dialog ends above the rule" sh -c "tmux -L $T_TMUX capture-pane -p -t t | sed -n 19p | grep -q '└'"

t_field 50 "Amount: "; t_keys F6
check "a card above the due: says so" t_wait_for "Card not started: 50,00 € is more than the 14,80 € due"
t_field abc "Amount: "; t_keys F7
check "a voucher of abc: not a number" t_wait_for "Voucher not taken: 'abc' is not a number"

# --- F8 after cash and card: reversed and handed back, each confirmed ---
t_field 5 "Amount: "; t_keys F6
check "card approved" t_wait_for "Card approved: 5,00 €"
t_keys F8
check "cancelling says the card will be reversed and the cash handed back" \
    t_wait_for "The card payment of 5,00 € will be reversed; hand back 9,00 €"
t_keys y
check "done: both said" t_wait_for "Sale cancelled: card 5,00 € reversed; give back 9,00 € cash."
check_eq "the journal says reversed" 1 "$(q "select count(*) from payment_intents where state = 'reversed'")"

# --- umlauts reach the search and the input line; müsli and musli find Müsli ---
t_keys F4
t_wait_for "Search product" > /dev/null
t_type_slowly "müsli"
check "typed umlaut kept in the search field" t_wait_for "Name: müsli"
check "müsli finds Müsli" t_wait_for "Bircher Müsli 750g"
t_keys C-u
t_keys -l "musli"
check "musli finds Müsli too" t_wait_for "Bircher Müsli 750g"
t_keys Escape
t_wait_gone "Search product" > /dev/null
t_type_slowly "Grüße"
check "typed umlauts kept in the input line" t_wait_for "Barcode: Grüße"
t_keys Escape

# --- count mode follows the store's style and names its refusals too ---
t_keys F9
t_wait_for "Start a count" > /dev/null
t_keys 1 Enter
check "count mode's weight example in the store's style" t_wait_for "or 0,750* then a scan"
t_field "0*" "Scan or type a barcode: "; t_keys Enter
check "count mode: 0* is refused as zero" t_wait_for "Quantity not taken: the quantity must be above zero"
t_keys F10
check "the count pauses back to the sale" t_wait_for "Empty sale"

finish_alert() {
    # --- an error rings the bell; ui.alert = none keeps quiet ---
    t_tmux_start 80x24 "$TILL_BIN"
    t_wait_for "Empty sale" > /dev/null
    check_eq "no bell before an error" 0 "$(bell)"
    t_keys 4000000000013 Enter
    t_wait_for "Unknown barcode" > /dev/null
    check_eq "an error rings the terminal's bell" 1 "$(bell)"
    t_keys F10
    t_wait_exit 10
    t_tmux_start 80x24 "$TILL_BIN --set ui.alert=none"
    t_wait_for "Empty sale" > /dev/null
    t_keys 4000000000013 Enter
    t_wait_for "Unknown barcode" > /dev/null
    t_keys 4010433218190 Enter                  # a later screen update, to be sure
    t_wait_for "Whole Milk" > /dev/null
    check_eq "ui.alert = none: no bell" 0 "$(bell)"
}
t_keys F10
check "quits" t_wait_exit 10
finish_alert

# --- US style: a dot ---
t_tmux_start 80x24 "$TILL_BIN --set store.money_style=us --set store.currency=USD"
t_wait_for "Empty sale" > /dev/null
t_keys $BANANA_LABEL Enter
check "us style: 1.500 kg" t_wait_for "1.500 kg"
finish
