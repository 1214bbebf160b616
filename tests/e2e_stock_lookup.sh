#!/bin/bash
# End to end (issue 14), the stock in the cashier's hands and the manager's small jobs,
# on the real till against the real reference server on loopback:
#  - product search (F4) shows each item's stock as last synced, and when it synced;
#  - the stock lookup (F11, or F2 on a search result, then scans) asks the server live
#    when online and says LIVE; offline it shows the synced figure and says OFFLINE;
#  - goods in: a delivery scanned on the counting screen adds to the server's stock;
#  - a count abandoned from the screen (asked first) is marked, audited, never sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
"$SERVER_BIN" --db "$SDB" stock SKU10001 store-1 20000 > /dev/null   # Whole Milk: 20
"$SERVER_BIN" --db "$SDB" stock SKU10002 store-1 0 > /dev/null       # Semi-Skimmed: none left
check "server starts" server_start "$SDB" "$PORT"
TILL="$TILL_BIN --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token \
    --set sync.pull_interval_ms=300 --set sync.backoff_base_ms=100 --set sync.backoff_max_ms=500"
on_hand() { sq "select on_hand from stock_levels where sku = '$1' and location = 'store-1'"; }
# screen_line [-A1] PATTERN REGEX: waits until the screen's line with PATTERN (and the
# one after it, with -A1) matches REGEX
screen_line() {
    after=; [ "$1" = -A1 ] && { after=-A1; shift; }
    for _ in $(seq 100); do t_screen | grep $after -- "$1" | grep -qE -- "$2" && return 0; sleep 0.1; done
    echo "--- no line '$1' matching '$2':"; t_screen; return 1
}
wait_sql() { # wait_sql EXPECTED QUERY [seconds]
    for _ in $(seq $(( ${3:-20} * 10 ))); do [ "$(q "$2")" = "$1" ] && return 0; sleep 0.1; done
    echo "--- $2: expected '$1', got '$(q "$2")'"; return 1
}
screen_has() { t_screen | grep -qE -- "$1"; }

t_tmux_start 100x30 "$TILL"
check "till starts" t_wait_for "Empty sale"
check "the server's stock arrives" wait_sql 20000 "select on_hand from stock_levels where sku = 'SKU10001'"
wait_sql 0 "select count(*) from stock_levels where sku = 'SKU10002' and on_hand <> 0" > /dev/null

# product search: the stock column, as synced
t_keys F4
t_wait_for "Search product" > /dev/null
t_type_slowly "milk"
check "search shows when the stock was synced" t_wait_for "stock, synced "
check "and each result's stock" screen_line 'Whole Milk 1L' ' 20 +1,19 €'
check "an item at zero marked OUT" screen_line 'Semi-Skimmed' ' 0 OUT +1,09 €'

# F2 on the (first) result: the lookup asks the server live
t_keys C-u
t_type_slowly "whole milk"
t_wait_for "Whole Milk 1L" > /dev/null
t_keys F2
check "F2 opens the stock lookup of the result" t_wait_for "Stock lookup"
check "online: the figure is LIVE from the server" t_wait_for "LIVE from the store server at "
check "live figure 20" screen_line 'LIVE from' ' 20 '
check "beside the synced one" screen_line 'As last synced' ' 20 '

# the server's stock changes (a delivery booked at head office): the lookup sees it live
"$SERVER_BIN" --db "$SDB" stock SKU10001 store-1 17000 > /dev/null
recount_at=$(date +%s)
t_keys F5
check "F5 asks again: live 17" screen_line 'LIVE from' ' 17 '
# a scan in the lookup looks the scanned item up
t_keys 4060013389086 Enter
check "a scan looks up another item" t_wait_for "Semi-Skimmed Milk 1L"
check "its stock: none, marked" screen_line 'LIVE from' ' 0 OUT '
t_keys Escape
check "Esc closes the lookup" t_wait_for "Empty sale"
check "the scan added nothing to the sale" screen_has "Empty sale"

# goods in: a delivery of 3 milk and 5 rice, scanned after that recount (a delivery
# scanned in the recount's second would be taken as on the shelf already)
check "the synced milk follows the server" wait_sql 17000 "select on_hand from stock_levels where sku = 'SKU10001'"
while [ "$(date +%s)" -le "$recount_at" ]; do sleep 0.1; done
t_keys F9
t_wait_for "Start a count" > /dev/null
t_keys F7
check "F7 starts goods in on the counting screen" t_wait_for "GOODS IN "
goods_id=$(q "select id from stock_counts where kind = 'receive' and state = 'open'")
check "a delivery document is open" test -n "$goods_id"
for i in 1 2 3; do t_keys 4010433218190 Enter; t_wait_for "Entries $i " 5 > /dev/null || fail "delivery scan $i"; done
t_type_slowly "5*"
t_keys 4028710122696 Enter
check "5* then a scan receives five" t_wait_for "+5 Basmati Rice 1kg: now 5"
check "no expected figures on a delivery" bash -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q Expected"
t_keys F9
check "F9: the goods-in list" t_wait_for "GOODS IN $goods_id | Into store-1"
check "what was received and its value" screen_line 'Whole Milk 1L' ' 3 +3,57'
check "the total" t_wait_for "VALUE RECEIVED 18,52 €"
check "printed" wait_sql "Goods-in report $goods_id|printed" "select title, state from print_jobs where kind = 'document'"
t_keys F5
check "F5 submits the delivery" t_wait_for "Goods in $goods_id of store-1 submitted: 2 items queued"
check_eq "as received adjustments" "2|received" "$(q "select count(*), group_concat(distinct json_extract(payload, '$.kind')) from outbox where kind = 'stock_adjustment'")"
check "the outbox drains" wait_sql 0 "select count(*) from outbox where state <> 'sent'" 30
check_eq "server: the milk received is added" 20000 "$(on_hand SKU10001)"
check_eq "server: the rice" 5000 "$(on_hand SKU10012)"

# a count given up: asked first, kept and marked, audited, nothing sent
t_keys Enter
check "a count starts" t_wait_for "STOCK COUNT "
count_id=$(q "select id from stock_counts where kind = 'count' and state = 'open'")
t_keys 4010433218190 Enter
t_wait_for "Entries 1 " 5 > /dev/null
t_keys F8
check "F8 asks before abandoning" t_wait_for "Abandon count $count_id of store-1 (1 entries)?"
t_keys 4010433218190 Enter
check "a scan meanwhile is refused" t_wait_for "answer the question first"
t_keys n
check "n keeps counting" t_wait_for "Entries 1 "
check_eq "still open" open "$(q "select state from stock_counts where id = '$count_id'")"
t_keys F8
t_wait_for "Abandon count" > /dev/null
t_keys y
check "y abandons it" t_wait_for "Count $count_id of store-1 abandoned: nothing was sent"
check_eq "kept, marked, with who and when" "abandoned|1|1" \
    "$(q "select state, abandoned_by is not null, finished_at > 0 from stock_counts where id = '$count_id'")"
check_eq "its entry kept" 1 "$(q "select count(*) from stock_count_entries where count_id = '$count_id'")"
check_eq "in the audit log" 1 "$(q "select count(*) from audit_log where event = 'count_abandon' and detail like '$count_id%'")"
check_eq "nothing of it in the outbox (but its audit row)" 0 "$(q "select count(*) from outbox where kind <> 'audit' and payload like '%$count_id%'")"
check "not in the open list" bash -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q '$count_id  count'"
t_keys Escape
t_wait_for "Empty sale" > /dev/null

# offline: the lookup shows the synced figure and says so
check "the delivery's stock comes back down to the till" wait_sql 20000 \
    "select on_hand from stock_levels where sku = 'SKU10001'"
server_stop
check "the till notices it is offline" t_wait_for "OFFLINE" 20
t_keys F11
t_wait_for "Stock lookup" > /dev/null
t_keys 4010433218190 Enter
check "offline: the synced figure, said so" t_wait_for "OFFLINE: the till is OFFLINE"
check "the synced figure" screen_line 'As last synced' ' 20 '
check "no live figure" bash -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q 'LIVE from'"
t_keys Escape
t_keys F10
finish
