#!/bin/bash
# End to end (issue 14): a store manager's blind zone count on the real till against the
# real reference server on loopback.  30 scans: plain items, a keyed quantity (12* then a
# scan), scale labels (weighed), an unknown barcode, then an undo; kill -9 mid-count, the
# restart resumes it exactly and counting goes on; the variance report checked against the
# server's expected stock (on screen, as CSV in the spool, and printed on the file
# printer); submit, and the server's on_hand is the count minus the sales made after each
# item's count moment.  Meanwhile a second till counts another zone of the same store.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
SPOOL=$XDG_DATA_HOME/till/spool
# what the server expects on the shelf (thousandths)
"$SERVER_BIN" --db "$SDB" stock SKU10001 store-1 20000 > /dev/null   # Whole Milk: 20
"$SERVER_BIN" --db "$SDB" stock SKU10012 store-1 10000 > /dev/null   # Basmati Rice: 10
"$SERVER_BIN" --db "$SDB" stock SKU10284 store-1 5000 > /dev/null    # Bananas: 5 kg
"$SERVER_BIN" --db "$SDB" stock SKU10002 store-1 4000 > /dev/null    # Semi-Skimmed: 4, not counted
"$SERVER_BIN" --db "$SDB" stock SKU10004 store-1 3000 > /dev/null    # Eggs: 3, counted right
"$SERVER_BIN" --db "$SDB" stock SKU10003 backroom 30000 > /dev/null  # Butter in the backroom
check "server starts" server_start "$SDB" "$PORT"
TILL="$TILL_BIN --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token \
    --set sync.pull_interval_ms=300 --set sync.backoff_base_ms=100 --set sync.backoff_max_ms=500 \
    --set count.zones=backroom"
on_hand() { sq "select on_hand from stock_levels where sku = '$1' and location = '${2:-store-1}'"; }
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

scans=0
scan() { # scan BARCODE: one scan, waited for until its entry is on screen
    scans=$((scans + 1)); entries=$((entries + 1))
    t_keys "$1" Enter
    t_wait_for "Entries $entries " 5 > /dev/null || fail "scan $scans ($1)"
}
entries=0
for _ in 1 2 3 4 5 6 7 8; do scan 4010433218190; done
check "eight scans count eight" t_wait_for "Whole Milk 1L: now 8"
t_type_slowly "12*"
check "12* waits in the input line" t_wait_for "Scan or type a barcode: 12*"
scan 4028710122696
check "12* then a scan counts twelve" t_wait_for "+12 Basmati Rice 1kg: now 12"
scan 2110020015002
check "a scale label counts its weight" t_wait_for "Bananas: now 1,500 kg"
scan 2110020015002
check "and adds up" t_wait_for "Bananas: now 3,000 kg"
scan 9999999999994
check "an unknown barcode is recorded for review" t_wait_for "Unknown barcode 9999999999994: recorded for review"
check_eq "with what was scanned" "9999999999994|1000" "$(q "select barcode, qty from stock_count_entries where sku = ''")"
# eggs, yoghurt, cheddar, sourdough three times each, croissants twice, a baguette
for code in 4054235116155 4059407816185 4049593103411 4031647525539; do
    scan $code; scan $code; scan $code
done
scan 4083503056411; scan 4083503056411
scan 4039537672424
check "other items count alongside" t_wait_for "Baguette: now 1"
scan 4010433218190
check "a ninth milk" t_wait_for "Whole Milk 1L: now 9"
t_keys F3
entries=$((entries - 1))
check "F3 undoes the last entry" t_wait_for "Undone: +1 Whole Milk 1L"
check "the milk is back at eight" t_wait_for "Items 9  Unknown codes 1  Entries 27 "
check_eq "the undone entry is kept, marked" "1" "$(q "select count(*) from stock_count_entries where undone")"
check_eq "each entry saved as it was made" "28|27" "$(q "select count(*), sum(not undone) from stock_count_entries")"

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
check "the restart resumes the count" t_wait_for "Count $count_id of store-1 resumed: 27 entries, as it was."
after=$(count_list)
check_eq "exactly as it was before the kill" "$before" "$after"
check "still blind" t_wait_for "| BLIND"
check "the last item counted is in focus again" t_wait_for "Baguette"
scan 4039537672424; scan 4039537672424
check "counting goes on after the restart" t_wait_for "Baguette: now 3"
check_eq "30 scans in all" 30 "$scans"

t_keys F9
check "F9 finishes: the variance report" t_wait_for "VARIANCE REPORT $count_id"
check "milk: expected 20, counted 8" screen_line 'Whole Milk 1L' ' 20 +8 +-12 +-14,28'
check "rice: expected 10, counted 12" screen_line 'Basmati Rice' ' 10 +12 +\+2 +5,98'
check "bananas: expected 5 kg, counted 3 kg" screen_line 'Bananas' ' 5,000 +3,000 +-2,000 +-3,58'
check "expected but not counted, apart" t_wait_for "Expected but not counted (1): LEFT OUT"
check "unknown codes for review" t_wait_for "Unknown barcodes for review (1): not submitted"
check "eggs: expected 3, counted 3, no difference" screen_line 'Free Range Eggs' ' 3 +3 +0 +0,00'
check "an item the server expects none of: counted 3" screen_line 'Sourdough' ' - +3 +\+3 +10,47'
# -14,28 milk +5,98 rice -3,58 bananas; +5,97 +8,37 +10,47 +1,78 +3,87 the items none expected
check "the total difference" t_wait_for "DIFFERENCE 18,58"
t_keys F6
check "F6 counts the uncounted as zero" t_wait_for "DIFFERENCE 14,22"
csv=$SPOOL/count-$count_id.csv
check "the CSV is in the spool" test -f "$csv"
check "with the milk's figures" grep -q "^$count_id,store-1,counted,SKU10001,4010433218190,Whole Milk 1L,each,20,8,-12,119,2380,952,-1428," "$csv"
check "the uncounted item as zero" grep -q "^$count_id,store-1,not_counted,SKU10002,,Semi-Skimmed Milk 1L,each,4,0,-4,109," "$csv"
check "the unknown code" grep -q "^$count_id,store-1,unknown_code,,9999999999994," "$csv"
check "and a text copy" grep -q "STOCK COUNT $count_id" "$SPOOL/count-$count_id.txt"
# the till prints on the file printer by default (printer.driver = file): the report is a
# document in the print queue, printed once on F9; F6 only rewrites it, F7 prints again
check "the report is printed" wait_sql "document|Count report $count_id|printed" \
    "select kind, title, state from print_jobs where kind = 'document'"
check "the paper shows the report" bash -c "'$TILL_ROOT/build/escpos-view' '$SPOOL/printer.escpos' | grep -q 'STOCK COUNT $count_id'"
# at 42 columns the name has a line of its own, the figures the next
check "with the figures" bash -c "'$TILL_ROOT/build/escpos-view' '$SPOOL/printer.escpos' | grep -A1 'Whole Milk 1L' | grep -qE ' 20 +8 +-12 +-14,28'"
t_keys F7
check "F7 prints it again" wait_sql "2" "select count(*) from print_jobs where kind = 'document' and state = 'printed'"

t_keys F5
check "F5 submits" t_wait_for "Count $count_id of store-1 submitted: 10 items queued"
check_eq "one count adjustment per item in the outbox" 10 "$(q "select count(*) from outbox where kind = 'stock_adjustment'")"
check "the outbox drains" wait_sql 0 "select count(*) from outbox where state <> 'sent'" 30
check_eq "server: milk on hand is the count" 8000 "$(on_hand SKU10001)"
check_eq "server: rice" 12000 "$(on_hand SKU10012)"
check_eq "server: bananas" 3000 "$(on_hand SKU10284)"
check_eq "server: the uncounted item as zero" 0 "$(on_hand SKU10002)"
check_eq "server: an item it had no level for" 3000 "$(on_hand SKU10010)"
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
check "second till: the backroom's expected from its own zone" screen_line 'Butter' '( 30| -) +25'
t_keys F5
check "second till: submitted" t_wait_for "submitted: 1 items queued"
check "the backroom count reaches the server" bash -c "for i in \$(seq 150); do [ \"\$(sqlite3 -cmd '.timeout 3000' '$SDB' \"select on_hand from stock_levels where sku = 'SKU10003' and location = 'backroom'\")\" = 25000 ] && exit 0; sleep 0.2; done; exit 1"
check_eq "the store's own stock untouched by it" 7000 "$(on_hand SKU10001)"
t_keys F10
finish
