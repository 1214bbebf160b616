#!/bin/bash
# End to end: returns against a receipt with the real till, the simulated card terminal and
# the reference server.  A sale paid in cash and by card; one line of it comes back by its
# receipt number and is refunded to the card through the terminal's refund (the server's
# stock goes back up); the same line cannot come back twice (here, nor at the server); an
# exchange (a returned line and a new item in one sale); a return without a receipt needs
# the supervisor's PIN.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
server_start "$SDB" "$PORT" || { fail "server start"; finish; exit 1; }
DEV=$T_DIR/sim.dev

t_tmux_start 110x34 "$TILL_BIN --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token \
    --set sync.pull_interval_ms=300 --set sync.backoff_base_ms=100 --set sync.backoff_max_ms=500 \
    --set payment.sim.latency_ms=300 --set payment.sim.device_file=$DEV --set returns.supervisor_pin=4711"
check "till starts" t_wait_for "Empty sale"
check "online" t_wait_for "online"
rice_stock() { sq "select on_hand from stock_levels where sku = 'SKU10012'"; }

# --- sale 1: rice (2,99) and milk (1,19), 1,00 in cash and the rest by card ---
t_keys 4028710122696 Enter
t_wait_for "Basmati" >/dev/null
t_keys 4010433218190 Enter
t_wait_for "Whole Milk" >/dev/null
t_keys F5 1 Enter
check "partial cash" t_wait_for "Still due: 3,18"
t_keys F6
check "card pays the rest" t_wait_for "CHANGE DUE: 0,00"
t_keys Enter
check "the sale reaches the server" t_wait_for "Queued sales: 0" 20
check_eq "server stock of rice went down" "-1000" "$(rice_stock)"

# --- return the rice by the receipt number: refunded to the card ---
t_keys C-r
check "Ctrl-R asks for the receipt" t_wait_for "Receipt:"
t_keys 1 Enter
check "the receipt's lines are shown" t_wait_for "Return: receipt 1, till T1"
check "with what was paid for each" t_wait_for "2,99"
t_keys Enter
check "the rice comes back into the sale" t_wait_for "Returned: Basmati"
t_keys Escape
check "a negative line on the sale" t_wait_for "RETURN Basmati"
check "and a negative total" t_wait_for "TOTAL -2,99"
t_keys F5
check "the payment dialog pays out" t_wait_for "Refund due"
check "with the refund keys" t_footer_is "Enter Cash back  F6 To card  F7 Voucher  F8 Cancel sale  Esc Back"
t_keys F6
check "the refund goes to the card: said so, not \"paid out\"" t_wait_for "REFUNDED TO CARD: 2,99"
check "through the terminal's refund" test "$(grep -c '^REFUNDED' "$DEV")" = 1
check "the refund's receipt lists the returned line" t_wait_for "RETURN Basmati"
check "the refund's receipt names the receipt it came back from" t_wait_for "Return of receipt 1, till T1"
t_keys Enter
check "the return reaches the server" t_wait_for "Queued sales: 0" 20
check_eq "server stock of rice back up" "0" "$(rice_stock)"
check_eq "the server holds the return against the sale" "1" \
    "$(sq "select count(*) from orders where return_of = (select idempotency_key from orders where id = 1)")"
check_eq "locally: a negative line naming the original line" "-1000|-299|1|1" \
    "$(q "select qty, line_total, return_line, restock from sale_lines where qty < 0")"
check_eq "and the card refund in the payments" "card|-299" "$(q "select tender, amount from payments where amount < 0")"
check_eq "the refund's intent completed with its sale" "refund|completed" \
    "$(q "select op, state from payment_intents where op = 'refund'")"

# --- the same line again, by scanning the receipt's code: refused ---
t_keys C-r RT1-1 Enter
t_wait_for "Return: receipt 1" >/dev/null
t_keys Up Enter
check "a second return of the same line is refused" t_wait_for "nothing left to return"
# the server refuses it too (a till that did not know): sent by hand
RET=$(sq "select payload from orders where return_of is not null")
RET2=$(echo "$RET" | sed 's/"idempotency_key":"[^"]*"/"idempotency_key":"T1:again"/')
check "the server refuses a second return of the line" \
    sh -c "curl -s -H 'Authorization: Bearer $(cat $T_DIR/token)' -d '{\"orders\":[$RET2]}' \
        http://127.0.0.1:$PORT/v1/orders | grep -q 'already returned'"

# --- exchange: the milk comes back, a bag of rice goes out: 1,80 to pay ---
t_keys Down Enter
check "the milk comes back" t_wait_for "Returned: Whole Milk"
t_keys Escape 4028710122696 Enter
check "and rice is sold in the same sale: 1,80 to pay" t_wait_for "TOTAL 1,80"
t_keys F5 Enter
check "the customer pays the difference" t_wait_for "CHANGE DUE: 0,00"
t_keys Enter
check_eq "one sale with both lines" "-1000|1000" \
    "$(q "select group_concat(qty, '|') from (select qty from sale_lines where sale_id = (select max(id) from sales) order by line_no)")"

# --- without a receipt: the supervisor's PIN, refund in cash ---
t_keys C-r F9
check "a return without receipt asks for the supervisor" t_wait_for "Supervisor PIN:"
t_type_slowly 0000; t_keys Enter     # typed, not a scanner's burst
check "a wrong PIN is refused" t_wait_for "Wrong supervisor PIN"
t_type_slowly 4711; t_keys Enter
check "the right PIN allows it" t_wait_for "Item:"
t_keys "4010433218190@1,00" Enter
check "the item comes back at the keyed price" t_wait_for "Returned: Whole Milk 1L -1,00"
t_keys Escape F5 Enter
check "paid out in cash" t_wait_for "CASH PAID OUT: 1,00"
check_eq "the override is in the audit log" "1|1" \
    "$(q "select sum(detail like '%refused%'), sum(detail like '%allowed%') from audit_log where event = 'override'")"
t_keys Enter
check "everything reaches the server" t_wait_for "Queued sales: 0" 20
check_eq "nothing was rejected" 0 "$(q "select count(*) from outbox where state = 'parked'")"
t_keys F10
finish
