#!/bin/bash
# End to end: a store manager's blind stock count on the real till against the real
# reference server on loopback.  Scans, a keyed quantity, a scale label, an unknown
# barcode and an undo; kill -9 mid-count and the restart resumes it exactly; the variance
# report against the server's stock (on screen and as CSV in the spool); submit, and the
# server's on_hand follows: the count, minus a sale made after the count's moment.
# Meanwhile a second till counts another zone of the same store.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
SPOOL=$XDG_DATA_HOME/till/spool
# what the server expects on the shelf (thousandths)
"$SERVER_BIN" --db "$SDB" stock SKU10001 store-1 20000 > /dev/null   # Whole Milk: 20
"$SERVER_BIN" --db "$SDB" stock SKU10012 store-1 10000 > /dev/null   # Basmati Rice: 10
"$SERVER_BIN" --db "$SDB" stock SKU10284 store-1 5000 > /dev/null    # Bananas: 5 kg
"$SERVER_BIN" --db "$SDB" stock SKU10002 store-1 4000 > /dev/null    # Semi-Skimmed: 4, not counted
"$SERVER_BIN" --db "$SDB" stock SKU10003 backroom 30000 > /dev/null  # Butter in the backroom
check "server starts" server_start "$SDB" "$PORT"
TILL="$TILL_BIN --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token \
    --set sync.pull_interval_ms=300 --set sync.backoff_base_ms=100 --set sync.backoff_max_ms=500 \
    --set count.zones=backroom"
on_hand() { sq "select on_hand from stock_levels where sku = '$1' and location = '${2:-store-1}'"; }
wait_sql() { # wait_sql EXPECTED QUERY [seconds]
    for _ in $(seq $(( ${3:-20} * 10 ))); do [ "$(q "$2")" = "$1" ] && return 0; sleep 0.1; done
    echo "--- $2: expected '$1', got '$(q "$2")'"; return 1
}
# the item list of the counting screen (rows below its column heads, without the status)
count_list() { t_screen | sed -n '/# Item/,/^ *$/p'; }

t_tmux_start 100x30 "$TILL"
check "till starts on the sale screen" t_wait_for "Empty sale"
check "the server's stock arrives" wait_sql 20000 "select on_hand from stock_levels where sku = 'SKU10001'"
wait_sql 4000 "select on_hand from stock_levels where sku = 'SKU10002'" > /dev/null
t_keys F9
check "F9 opens count mode" t_wait_for "Start a count"
check "the configured zones are listed" t_wait_for "2  backroom"
check "new counts are blind by default" t_wait_for "New counts are BLIND"
t_keys 1 Enter
check "a blind count of the store starts" t_wait_for "| BLIND"
count_id=$(q "select id from stock_counts where state = 'open'")
check "it has an id and a started_at" test -n "$count_id" -a "$(q "select started_at > 0 from stock_counts")" = 1
check "blind: no expected figures on screen" bash -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q Expected"

for i in 1 2 3 4 5 6 7 8; do
    t_keys 4010433218190 Enter
    t_wait_for "Entries $i " 5 > /dev/null || fail "scan $i of the milk"
done
check "eight scans count eight" t_wait_for "now 8"
t_type_slowly "12*"
t_keys 4028710122696 Enter
check "12* then a scan counts twelve" t_wait_for "+12 Basmati Rice 1kg: now 12"
t_keys 2110020015002 Enter
check "a scale label counts its weight" t_wait_for "Bananas: now 1,500 kg"
t_keys 2110020015002 Enter
check "and adds up" t_wait_for "Bananas: now 3,000 kg"
t_keys 9999999999994 Enter
check "an unknown barcode is recorded for review" t_wait_for "Unknown barcode 9999999999994: recorded for review"
check_eq "with what was scanned" "9999999999994|1000" "$(q "select barcode, qty from stock_count_entries where sku = ''")"
t_keys 4010433218190 Enter
check "a ninth milk" t_wait_for "now 9"
t_keys F3
check "F3 undoes the last entry" t_wait_for "Undone: +1 Whole Milk 1L"
check "the milk is back at eight" t_wait_for "Items 3  Unknown codes 1  Entries 12 "
check_eq "the undone entry is kept, marked" "1" "$(q "select count(*) from stock_count_entries where undone")"

# the second till counts the backroom at the same time
T1_TMUX=$T_TMUX
T_TMUX=   # t_tmux_start would end the first till's tmux server
(umask 077 && "$SERVER_BIN" --db "$SDB" token create T2 > "$T_DIR/token2")
t_tmux_start 100x30 "$TILL_BIN --db $T_DIR/t2.db --spool $T_DIR/spool2 --terminal T2 \
    --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token2 --set sync.pull_interval_ms=300 \
    --set count.zones=backroom --count"
T2_TMUX=$T_TMUX
check "a second till opens in count mode (--count)" t_wait_for "Start a count"
t_type_slowly "backroom"
t_keys Enter
check "and counts the backroom" t_wait_for "Zone backroom"
t_type_slowly "25*"
t_keys 4038637940266 Enter
check "25 butter in the backroom" t_wait_for "Butter 250g: now 25"
T_TMUX=$T1_TMUX

before=$(count_list)
pid=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}')
kill -9 "$pid"
check "till killed mid-count" t_wait_exit 5
T_TMUX=
t_tmux_start 100x30 "$TILL --count"
check "the restart resumes the count" t_wait_for "Count $count_id of store-1 resumed: 12 entries, as it was."
after=$(count_list)
check_eq "exactly as it was before the kill" "$before" "$after"
check "still blind" t_wait_for "| BLIND"

t_keys F9
check "F9 finishes: the variance report" t_wait_for "VARIANCE REPORT $count_id"
check "milk: expected 20, counted 8" bash -c "tmux -L $T_TMUX capture-pane -p -t t | grep 'Whole Milk 1L' | grep -qE ' 20 +8 +-12 +-14,28'"
check "rice: expected 10, counted 12" bash -c "tmux -L $T_TMUX capture-pane -p -t t | grep 'Basmati Rice' | grep -qE ' 10 +12 +\+2 +5,98'"
check "bananas: expected 5 kg, counted 3 kg" bash -c "tmux -L $T_TMUX capture-pane -p -t t | grep 'Bananas' | grep -qE ' 5,000 +3,000 +-2,000 +-3,58'"
check "expected but not counted, apart" t_wait_for "Expected but not counted (1): LEFT OUT"
check "unknown codes for review" t_wait_for "Unknown barcodes for review (1): not submitted"
check "the total difference" t_wait_for "DIFFERENCE -11,88"
t_keys F6
check "F6 counts the uncounted as zero" t_wait_for "DIFFERENCE -16,24"
csv=$SPOOL/count-$count_id.csv
check "the CSV is in the spool" test -f "$csv"
check "with the milk's figures" grep -q "^$count_id,store-1,counted,SKU10001,4010433218190,Whole Milk 1L,each,20,8,-12,119,2380,952,-1428," "$csv"
check "the uncounted item as zero" grep -q "^$count_id,store-1,not_counted,SKU10002,,Semi-Skimmed Milk 1L,each,4,0,-4,109," "$csv"
check "the unknown code" grep -q "^$count_id,store-1,unknown_code,,9999999999994," "$csv"
check "and a text copy for the printer" grep -q "STOCK COUNT $count_id" "$SPOOL/count-$count_id.txt"

t_keys F5
check "F5 submits" t_wait_for "Count $count_id of store-1 submitted: 4 items queued"
check_eq "one count adjustment per item in the outbox" 4 "$(q "select count(*) from outbox where kind = 'stock_adjustment'")"
check "the outbox drains" wait_sql 0 "select count(*) from outbox where state <> 'sent'" 30
check_eq "server: milk on hand is the count" 8000 "$(on_hand SKU10001)"
check_eq "server: rice" 12000 "$(on_hand SKU10012)"
check_eq "server: bananas" 3000 "$(on_hand SKU10284)"
check_eq "server: the uncounted item as zero" 0 "$(on_hand SKU10002)"
check_eq "server: unknown codes are not stock" 0 "$(sq "select count(*) from stock_movements where sku like '%9999999999994%'")"
check_eq "server: each count as of the moment its item was counted" \
    "$(q "select max(at) from stock_count_entries where sku = 'SKU10001' and not undone")" \
    "$(sq "select occurred_at from stock_movements where kind = 'count' and sku = 'SKU10001' and reason like 'count $count_id%'")"

# a sale after the count's moment reduces the counted stock
milk_at=$(q "select max(at) from stock_count_entries where sku = 'SKU10001' and not undone")
while [ "$(date +%s)" -le "$milk_at" ]; do sleep 0.1; done   # the next second on the clock
check "the counted stock comes back down to the till" wait_sql 8000 "select on_hand from stock_levels where sku = 'SKU10001'"
t_keys Escape
check "back to selling" t_wait_for "Empty sale"
t_keys 4010433218190 Enter
check "the cashier sees the stock of the selected line" t_wait_for "Whole Milk 1L  [stock 8, synced "
t_keys F5
t_wait_for "F6: card" 5 > /dev/null && t_keys Enter
t_wait_for "CHANGE DUE" 5 > /dev/null && t_keys Enter
check "a sale after the count" t_wait_for "Empty sale"
wait_sql 0 "select on_hand from stock_levels where sku = 'SKU10002'" > /dev/null
t_keys 4060013389086 Enter
check "an item at zero is marked, and still sells" t_wait_for "Semi-Skimmed Milk 1L  [stock 0 OUT, synced "
t_keys F8
t_wait_for "Cancel" 3 > /dev/null && t_keys y
t_wait_for "Empty sale" 5 > /dev/null
check "the sale reaches the server" wait_sql 0 "select count(*) from outbox where state <> 'sent'" 30
check_eq "server: counted minus the sale after it" 7000 "$(on_hand SKU10001)"

# submitting the same count again applies it once (the server deduplicates by key)
sq "select count(*) from stock_movements where kind = 'count'" > "$T_DIR/moves"
# (the sync sends what is pending after each pull round)
sqlite3 "$DB" "update outbox set state = 'pending' where kind = 'stock_adjustment'"
check "the count sent again" wait_sql 0 "select count(*) from outbox where state <> 'sent'" 30
check_eq "the server stored it once" "$(cat "$T_DIR/moves")" "$(sq "select count(*) from stock_movements where kind = 'count'")"
check_eq "and the stock stays right" 7000 "$(on_hand SKU10001)"

T_TMUX=$T2_TMUX
t_keys F9
check "second till: report" t_wait_for "VARIANCE REPORT"
check "second till: the backroom's expected from its own zone" bash -c "tmux -L $T_TMUX capture-pane -p -t t | grep 'Butter' | grep -qE '( 30| -) +25'"
t_keys F5
check "second till: submitted" t_wait_for "submitted: 1 items queued"
check "the backroom count reaches the server" bash -c "for i in \$(seq 150); do [ \"\$(sqlite3 -cmd '.timeout 3000' '$SDB' \"select on_hand from stock_levels where sku = 'SKU10003' and location = 'backroom'\")\" = 25000 ] && exit 0; sleep 0.2; done; exit 1"
check_eq "the store's own stock untouched by it" 7000 "$(on_hand SKU10001)"
t_keys F10
finish
