#!/bin/bash
# End to end: the real till in a terminal and the real reference server on loopback.
# Sell while the server is down (the status bar says OFFLINE and counts the queue), start
# the server with every request stalling for 10 s (the cashier's keys still work at once),
# lift the stall, and watch the queue drain: each sale is on the server exactly once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }

t_tmux_start 120x30 "$TILL_BIN --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token \
    --set sync.pull_interval_ms=300 --set sync.backoff_base_ms=100 --set sync.backoff_max_ms=500 \
    --set sync.timeout_ms=30000"
check "till starts with a store server configured" t_wait_for "Empty sale"
check "server down: the header says OFFLINE" t_wait_for "OFFLINE"
for i in 1 2 3; do sell_one || fail "sale $i while offline"; done
check "three sales queued on screen" t_wait_for "Queued sales: 3"
check_eq "and in the outbox" 3 "$(q "select count(*) from outbox where state = 'pending' and kind = 'order'")"

set_faults "$FAULTS" "stall=100%,stall_ms=10000"
check "server starts (stalling every request)" server_start "$SDB" "$PORT" "$FAULTS"
sleep 1 # requests are now hanging in the server
start=$(date +%s%N)
t_keys 4028710122696 Enter
check "during the stall a scan is on screen at once" t_wait_for "Basmati" 2
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
echo "scan shown after ${elapsed} ms during the stall"
check "well before the stall ends" test "$elapsed" -lt 3000
t_keys F8
t_wait_for "Cancel" 3 > /dev/null && t_keys y
set_faults "$FAULTS" ""
check "the queue drains" t_wait_for "Queued sales: 0" 40
check "online again" t_wait_for "online"
check_eq "every sale on the server once" 3 "$(sq "select count(*) from orders")"
check_eq "with distinct keys" 3 "$(sq "select count(distinct idempotency_key) from orders")"
check_eq "all sent locally" 3 "$(q "select count(*) from outbox where state = 'sent' and kind = 'order'")"
check_eq "server stock went down by three" "$(( $(sq "select count(*) from orders") ))" \
    "$(sq "select -sum(quantity) / 1000 from stock_movements where sku = 'SKU10001' and kind = 'sale'")"

# a price change on the server reaches the till
"$SERVER_BIN" --db "$SDB" price SKU10001 129 > /dev/null
check "the new price arrives by delta" bash -c "for i in \$(seq 60); do [ \"\$(sqlite3 '$DB.catalog' \"select price from products where sku = 'SKU10001'\")\" = 129 ] && exit 0; sleep 0.2; done; exit 1"
t_keys 4010433218190 Enter
check "and is used for the next scan" t_wait_for "1,29"

# one bad row never freezes sync: a catalog row whose barcode has a wrong check digit is
# parked; the rest of its page is on sale, the status bar counts it, --sync-rejects names
# it with its reason, and price changes after it still arrive
t_keys F8
t_wait_for "Cancel" 3 > /dev/null && t_keys y
printf '%s' '[{"sku":"BAD-1","name":"Misprinted","price":250,"unit":"each","tax_class":"red","barcodes":["4000000000018"]},
  {"sku":"NEW-1","name":"Oat Drink 1L","price":199,"unit":"each","tax_class":"red","barcodes":["4000000000013"]}]' \
    > "$T_DIR/rows.json"
"$SERVER_BIN" --db "$SDB" import "$T_DIR/rows.json" > /dev/null
"$SERVER_BIN" --db "$SDB" price SKU10001 139 > /dev/null
check "the status bar counts the refused row" t_wait_for "1 catalog row refused (see till --sync-rejects)" 30
out=$("$TILL_BIN" --db "$DB" --sync-rejects 2>&1)
check "--sync-rejects names it with its reason" grep -qE "^catalog .* BAD-1  seq [0-9]+  barcode 4000000000018 has a wrong check digit" <<< "$out"
check "and the row as the server sent it" grep -qF '"sku":"BAD-1"' <<< "$out"
t_keys 4000000000013 Enter
check "the good row of its page is on sale" t_wait_for "Oat Drink 1L"
# the price change is the server's next write after the import: the till may have pulled
# the import's page before it, so wait for it in the catalog before scanning (a line keeps
# the price it was scanned at)
check "the price change after it arrived" bash -c "for i in \$(seq 150); do [ \"\$(sqlite3 '$DB.catalog' \"select price from products where sku = 'SKU10001'\")\" = 139 ] && exit 0; sleep 0.2; done; exit 1"
t_keys 4010433218190 Enter
check "and is used for the next scan" t_wait_for "1,39"
t_keys F10

# scans during a full sync of 100,000 products: a new till pulls the catalog page by page
# (no snapshot) from a server that holds every request back 60 ms; each scan is on screen
# while the catalog is still coming in (the header counts it, the file has not all of it)
{
    echo "sku,barcode,name,price,unit,tax_class,age_restricted,group,deposit_sku"
    awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "BULK%06d,BULK%06d,Bulk item %d,%d,each,std,0,,\n", i, i, i, 100 + i % 900 }'
} > "$T_DIR/bulk.csv"
check "the server takes 100,000 more products" "$SERVER_BIN" --db "$SDB" import "$T_DIR/bulk.csv"
set_faults "$FAULTS" "stall=100%,stall_ms=60"
DB2=$T_DIR/new/till.db
mkdir -p "$T_DIR/new"
total=$(sq "select count(*) from products where sku != 'BAD-1'")   # the refused row stays out
t_tmux_start 120x30 "$TILL_BIN --db $DB2 --set sync.url=http://127.0.0.1:$PORT --set sync.token_file=$T_DIR/token \
    --set sync.snapshot=0 --set sync.page_size=1000 --set sync.timeout_ms=30000 --set sync.pull_interval_ms=500"
check "a new till starts while its catalog syncs" t_wait_for "Empty sale"
check "the header counts the catalog coming in" t_wait_for "catalog: "
cq2() { sqlite3 -cmd ".timeout 3000" "$DB2.catalog" "$1"; }
# the first bulk page is in (the demo's products come first on the server)
check "the first pages arrive" bash -c "for i in \$(seq 300); do [ \"\$(sqlite3 -cmd '.timeout 3000' '$DB2.catalog' \"select count(*) from products where sku = 'BULK000500'\")\" = 1 ] && exit 0; sleep 0.1; done; exit 1"
during=0
for code in 4010433218190 4028710122696 BULK000001 4060013389086 BULK000500; do
    case $code in
        4010433218190) name="Whole Milk 1L" ;;
        4028710122696) name="Basmati" ;;
        4060013389086) name="Semi-Skimmed Milk 1L" ;;
        *) name="Bulk item $((10#${code#BULK}))" ;;
    esac
    t_keys "$code" Enter
    t_wait_for "$name" 20 > /dev/null || { echo "scan of $code not shown"; continue; }
    # shown while the catalog was still incomplete: the sync was running
    now=$(cq2 "select count(*) from products")
    echo "scan of $code shown with $now of $total products in"
    [ "$now" -lt "$total" ] && during=$((during + 1))
done
check_eq "every scan was on screen while the sync ran" 5 "$during"
check "the sync then completes" bash -c "for i in \$(seq 600); do [ \"\$(sqlite3 -cmd '.timeout 3000' '$DB2.catalog' 'select count(*) from products')\" = $total ] && exit 0; sleep 0.2; done; exit 1"

# issue 27: a delta of 100,000 changed prices from a server that holds every page back
# 200 ms, with two busy loops beside the till (the catalog's writer thread competes for the
# CPU with them, the loop must not wait for it): a scan, a name search and a cash sale
# each answer, and the sale is done while the delta is still applying
awk -F, -v OFS=, 'NR == 1 { print; next } { $4 += 1000; print }' "$T_DIR/bulk.csv" > "$T_DIR/prices.csv"
set_faults "$FAULTS" "stall=100%,stall_ms=200"
check "the server takes 100,000 new prices" "$SERVER_BIN" --db "$SDB" import "$T_DIR/prices.csv"
for _ in 1 2; do (while :; do :; done) & T_PIDS="$T_PIDS $!"; BUSY="${BUSY:-} $!"; done
changed() { cq2 "select count(*) from products where sku like 'BULK%' and price >= 1100"; }
check "the delta starts" bash -c "for i in \$(seq 600); do [ \"\$(sqlite3 -cmd '.timeout 3000' '$DB2.catalog' \"select count(*) from products where sku like 'BULK%' and price >= 1100\")\" -gt 0 ] && exit 0; sleep 0.1; done; exit 1"
start=$(date +%s%N)
step() { # WHAT TEXT: waits (5 s at most) for TEXT after the keys of WHAT, says how long it took
    t0=$(date +%s%N)
    t_wait_for "$2" 5 > /dev/null || { echo "$1: no answer"; return 1; }
    echo "$1: on screen after $(( ($(date +%s%N) - t0) / 1000000 )) ms, $(changed) of 100000 prices in"
}
t_keys BULK099999 Enter
check "during the delta a scan is on screen" step "scan BULK099999" "Bulk item 99999"
t_keys 4028710122696 Enter
check "and another" step "scan Basmati" "Basmati"
t_keys F4
check "the search opens" step "F4" "Search product"
t_keys i t e m Space 4 2 4 2
check "a name search finds as the cashier types" step "search 'item 4242'" "Bulk item 4242"
t_keys Escape
check "the search closes" step "Esc" "F4 Search"
t_keys F5
check "pay" step "F5" "F6: card"
t_keys Enter
check "cash taken" step "Enter" "CHANGE DUE"
t_keys Enter
check "the sale is done" step "Enter" "Empty sale"
done_with=$(changed)
echo "sale done $(( ($(date +%s%N) - start) / 1000000 )) ms after the delta started, with $done_with of 100000 prices in"
check "... while the delta was still applying" test "$done_with" -lt 100000
check_eq "the sale is in the database" 1 "$(sqlite3 -cmd '.timeout 3000' "$DB2" "select count(*) from sales")"
check "the delta then completes" bash -c "for i in \$(seq 900); do [ \"\$(sqlite3 -cmd '.timeout 3000' '$DB2.catalog' \"select count(*) from products where sku like 'BULK%' and price >= 1100\")\" = 100000 ] && exit 0; sleep 0.2; done; exit 1"
for p in $BUSY; do kill "$p" 2>/dev/null; done
set_faults "$FAULTS" ""
t_keys F10
finish
