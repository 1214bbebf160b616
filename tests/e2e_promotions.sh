#!/bin/bash
# End to end: promotions and customers come down from the reference server.  A promotion
# created with the server's admin CLI arrives by sync and applies on the next scan; a
# customer's loyalty card switches the sale to the customer's segment prices and the order
# carries the customer's id; a withdrawn promotion leaves the till (a tombstone).  Also the
# catalog's age checks and bottle deposits: a beer asks for the age (a refusal takes it and
# its deposit out), its deposit joins the sale, empties come back as a negative line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
# the customer and the gold segment's milk price exist before the till first syncs
"$SERVER_BIN" --db "$SDB" customer add C1 "Anna Gold" gold 9990001 > /dev/null || fail "customer add"
"$SERVER_BIN" --db "$SDB" promo add '{"kind":"segment_price","segment":"gold","sku":"SKU10001","price":99}' \
    > /dev/null || fail "segment price add"
server_start "$SDB" "$PORT" || { fail "server start"; finish; exit 1; }

t_tmux_start 110x34 "$TILL_BIN --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token \
    --set sync.pull_interval_ms=300 --set sync.backoff_base_ms=100 --set sync.backoff_max_ms=500"
check "till starts" t_wait_for "Empty sale"
check "online" t_wait_for "online"
wait_q() { # wait_q EXPECTED SQL: polls the till's database until SQL gives EXPECTED
    for _ in $(seq 200); do [ "$(q "$2")" = "$1" ] && return 0; sleep 0.05; done
    echo "--- $2 gave '$(q "$2")', not '$1'"; return 1
}
check "the customer arrives by sync" wait_q "Anna Gold|gold|9990001" "select name, segment, card from customers"

# --- three bottles of milk at 1,19: no promotion yet ---
t_keys 3\*4010433218190 Enter
check "three milk at the shelf price" t_wait_for "TOTAL 3,57"

# --- a promotion is created on the server: it comes down and applies on the next scan ---
check "the admin CLI creates a promotion" sh -c "'$SERVER_BIN' --db '$SDB' promo add \
    '{\"name\":\"Milk 3 for 2\",\"kind\":\"multibuy_free\",\"sku\":\"SKU10001\",\"n\":3,\"m\":2}' | grep -q 'promotion 2'"
check "a bad promotion is refused by the CLI with its reason" sh -c "'$SERVER_BIN' --db '$SDB' promo add \
    '{\"name\":\"x\",\"kind\":\"multibuy_free\",\"sku\":\"SKU10001\",\"n\":4,\"m\":2}' 2>&1 | grep -q 'm = n - 1'"
check "it arrives by sync" wait_q "2|multibuy_free|Milk 3 for 2" "select id, kind, name from promotions where id = 2"
t_keys 4010433218190 Enter
# four at 1,19 = 4,76, one of the first three free: 3,57
check "the next scan applies it: four for the price of three" t_wait_for "TOTAL 3,57"
check "the line names the promotion" t_wait_for "Milk 3 for 2"

# --- the customer's loyalty card: gold prices (0,99), the multi-buy on top of them ---
t_keys 9990001 Enter
check "the loyalty card is recognised" t_wait_for "Customer Anna Gold: gold prices"
check "the customer shows with the totals" t_wait_for "Customer Anna Gold (gold)"
# four at 0,99 = 3,96, one free: 2,97
check "the sale is priced at the segment price" t_wait_for "TOTAL 2,97"
t_keys F5 Enter
check "paid" t_wait_for "CHANGE DUE: 0,00"
t_keys Enter
check "the sale reaches the server" t_wait_for "Queued sales: 0" 20
check "the order carries the customer's id" \
    sh -c "sqlite3 '$SDB' 'select payload from orders' | grep -q '\"customer_id\":\"C1\"'"
check_eq "locally the sale names the customer" "C1" "$(q "select customer_id from sales")"

# --- a customer found by name (Ctrl-K) ---
t_keys C-k
check "Ctrl-K opens the customer search" t_wait_for "Name or card:"
t_type_slowly "anna"
check "found by part of the name" t_wait_for "9990001"
t_keys Enter
check "chosen" t_wait_for "Customer Anna Gold: gold prices"

# --- the promotion is withdrawn on the server: the tombstone removes it here ---
"$SERVER_BIN" --db "$SDB" promo delete 2 > /dev/null
check "a withdrawn promotion leaves the till" wait_q "0" "select count(*) from promotions where id = 2"
t_keys 3\*4010433218190 Enter
check "three milk for the gold customer without the multi-buy" t_wait_for "TOTAL 2,97"
t_keys C-k F3
check "F3 takes the customer off the sale" t_wait_for "No customer on this sale"
check "back to shelf prices" t_wait_for "TOTAL 3,57"
t_keys F8 y
t_wait_for "Empty sale" > /dev/null

# --- age check and deposit: beer (1,09, from 16) brings its bottle deposit (0,25) ---
BEER=4006513338728
t_keys $BEER Enter
check "an age-restricted item asks for the age" t_wait_for "customers of 16 or older only"
check "the deposit joined the sale" t_wait_for "Bottle Deposit"
t_keys n
check "refused: the beer is taken out" t_wait_for "Age not confirmed: Lager Beer 0.5L taken out"
check "with its deposit" t_wait_gone "Bottle Deposit"
t_keys $BEER Enter
t_wait_for "customers of 16 or older only" > /dev/null
t_type_slowly "24.12.2015"; t_keys Enter
check "a date of birth under the age refuses" t_wait_for "under 16. Not sold"
t_keys $BEER Enter
t_wait_for "customers of 16 or older only" > /dev/null
t_keys y
check "'looks over 16' sells it" t_wait_for "Age checked (looks over 16)"
check "beer and deposit: 1,34" t_wait_for "TOTAL 1,34"
t_keys $BEER Enter
check "a second beer needs no second check" t_wait_for "TOTAL 2,68"
# empties back: the Deposit Bottle Return item is a negative line, no receipt needed
t_keys 4\*4042160733752 Enter
check "four empties come back: -1,00" t_wait_for "Deposit back: Deposit Bottle Return  -1,00"
check "the total goes down" t_wait_for "TOTAL 1,68"
t_keys F5 Enter
check "paid" t_wait_for "CHANGE DUE: 0,00"
t_keys Enter
check_eq "the checks are stored with the lines" "looks over 16|earlier: looks over 16" \
    "$(q "select group_concat(age_check, '|') from (select age_check from sale_lines where age_check is not null and sale_id = (select max(id) from sales) order by line_no)")"
check_eq "the audit log has every check (2 refused, 2 sold)" "2|2" \
    "$(q "select sum(detail like '%refused'), sum(detail like '%looks over 16') from audit_log where event = 'age_check'")"
check "the sale with the empties reaches the server" t_wait_for "Queued sales: 0" 20
check_eq "nothing was rejected" 0 "$(q "select count(*) from outbox where state = 'parked'")"
t_keys F10
finish
