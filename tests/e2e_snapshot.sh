#!/bin/bash
# End to end: catalog bootstrap from the reference server's snapshot (the demo catalog).
# A download cut halfway is resumed from where it stopped; a corrupted snapshot is refused
# and the old catalog stays; kill -9 during the load leaves the old catalog intact and the
# next run loads cleanly; changes made after the snapshot arrive as deltas, once; a till
# only a little behind keeps to deltas.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
sync_test_setup || { fail "server set-up"; finish; exit 1; }
mkdir -p "$(dirname "$DB")"
CAT=$DB.catalog
cq() { sqlite3 "$CAT" "$1"; }
sync_now() { # [extra --set args]: one sync round, its output kept in $T_DIR/sync.out
    "$TILL_BIN" --db "$DB" --set catalog.demo=no --set sync.url="http://127.0.0.1:$PORT" \
        --set sync.token_file="$T_DIR/token" --set sync.backoff_base_ms=100000 "$@" --sync-now \
        > "$T_DIR/sync.out" 2>&1
}
sync_fails() { ! sync_now --set sync.now_deadline_s=2 "$@"; } # it retries until then
serve() { # [server options]
    server_stop
    : > "$T_DIR/server.out"
    "$SERVER_BIN" --db "$SDB" serve --port "$PORT" "$@" > "$T_DIR/server.out" 2>> "$T_DIR/server.log" &
    SERVER_PID=$!
    T_PIDS="$T_PIDS $SERVER_PID"
    for _ in $(seq 100); do grep -q listening "$T_DIR/server.out" && return 0; sleep 0.05; done
    return 1
}

# 1. the download is cut halfway: the old (empty) catalog stays, the part is kept
check "server starts (next download cut halfway)" serve --snapshot-faults cut=1
check "a cut download does not complete" sync_fails
check "the error says the download stopped" grep -q "download stopped at byte" "$T_DIR/sync.out"
part=$(ls "$CAT".snapshot-*.part 2>/dev/null | head -1)
check "the downloaded part is kept" test -s "$part"
check_eq "no product in the catalog yet" 0 "$(cq 'select count(*) from products')"
check "the next sync completes" sync_now
check "and resumed the download instead of starting again" grep -qE "download from byte [1-9]" "$T_DIR/sync.out"
check_eq "every product is in the catalog" 293 "$(cq 'select count(*) from products')"
check_eq "with the snapshot's cursor" 293 "$(cq "select value from catalog_meta where key = 'cursor'")"
check "barcodes are in" test "$(cq 'select count(*) from barcodes')" -ge 293
check_eq "and the name index" 1 "$(cq "select count(*) from products_fts where products_fts match 'milk*' limit 1" | awk '{print ($1 > 0)}')"
check "no part or new file is left" bash -c "! ls '$CAT'.snapshot-*.part '$CAT.new' 2> /dev/null"

# 2. a till only a little behind keeps to deltas, applied once
"$SERVER_BIN" --db "$SDB" price SKU10001 129 > /dev/null
check "a small change: one more sync" sync_now
check "it came as a delta, not a snapshot" bash -c "! grep -q 'snapshot of' '$T_DIR/sync.out'"
check_eq "the new price is there" 129 "$(cq "select price from products where sku = 'SKU10001'")"
check_eq "cursor moved by one" 294 "$(cq "select value from catalog_meta where key = 'cursor'")"

# 3. far behind (the server is told a few changes are far): a corrupt snapshot is refused
"$SERVER_BIN" --db "$SDB" price SKU10002 777 > /dev/null
"$SERVER_BIN" --db "$SDB" price SKU10003 778 > /dev/null
check "server starts (next download corrupted)" serve --snapshot-min-changes 2 --snapshot-faults corrupt=1
before=$(cq "select group_concat(price) from products")
check "a corrupted snapshot does not complete" sync_fails
check "it is refused with a clear message" grep -qE "catalog snapshot refused: (its SHA-256 does not match|it does not inflate)" "$T_DIR/sync.out"
check "which says the old catalog stays" grep -q "the old catalog stays in use" "$T_DIR/sync.out"
check_eq "the old catalog is untouched" "$before" "$(cq "select group_concat(price) from products")"
check "nothing of it is left" bash -c "! ls '$CAT'.snapshot-*.part '$CAT.new' 2> /dev/null"

# 4. kill -9 during the load (slowed down): the old catalog stays; the next run loads cleanly
"$SERVER_BIN" --db "$SDB" price SKU10004 779 > /dev/null
check "server starts" serve --snapshot-min-changes 2
"$TILL_BIN" --db "$DB" --set catalog.demo=no --set sync.url="http://127.0.0.1:$PORT" \
    --set sync.token_file="$T_DIR/token" --set sync.snapshot_pause_ms=300 --sync-now > /dev/null 2>&1 &
till_pid=$!
check "the load has begun" bash -c "for i in \$(seq 1200); do test -s '$CAT.new' && exit 0; sleep 0.05; done; exit 1"
kill -9 "$till_pid"; wait "$till_pid" 2> /dev/null
check_eq "after kill -9 the old catalog is intact" "$before" "$(cq "select group_concat(price) from products")"
check_eq "and passes its integrity check" ok "$(cq 'pragma integrity_check')"
check "the next run completes" sync_now
check "from a snapshot" grep -q "snapshot of" "$T_DIR/sync.out"
check_eq "deltas after the snapshot: every change is there" "129|777|778|779" \
    "$(cq "select group_concat(price, '|') from (select price from products where sku in ('SKU10001','SKU10002','SKU10003','SKU10004') order by sku)")"
check_eq "cursor is the server's" "$(sq "select value from meta where key = 'catalog_seq'")" \
    "$(cq "select value from catalog_meta where key = 'cursor'")"
"$SERVER_BIN" --db "$SDB" price SKU10005 780 > /dev/null
check "then one more change" sync_now
check "arrives as exactly one delta" grep -q "sync complete: 1 catalog changes" "$T_DIR/sync.out"
check_eq "the catalog keeps its size" 293 "$(cq 'select count(*) from products')"
# 5. on screen: a new till shows the catalog's progress in the header, and name search
# says it is not ready while the catalog loads (slowed down), then finds names
rm -f "$DB"*
t_tmux_start 120x30 "$TILL_BIN --db $DB --set catalog.demo=no --set sync.url=http://127.0.0.1:$PORT \
    --set sync.token_file=$T_DIR/token --set sync.snapshot_pause_ms=400"
check "the till starts at once on an empty catalog" t_wait_for "Empty sale"
check "the header shows the catalog sync's progress" t_wait_for " of 293"
t_keys F4
t_keys m i l k
check "name search says it is not ready yet" t_wait_for "Name search ready in a moment"
retype_until() { # the results follow the typing: type the last letter again until TEXT shows
    for _ in $(seq 30); do t_keys BSpace k; t_wait_for "$1" 1 && return 0; done; return 1
}
check "until the catalog is in: then names are found" retype_until "Whole Milk"
finish
