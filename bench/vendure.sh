#!/bin/bash
# Sync with a real Vendure (the pinned test server, SQLite) beside the reference server on
# the same data, medians of BENCH_RUNS (3) runs:
#  - full sync (catalog + stock) of N variants (10,000) into an empty till database;
#  - pushing 1,000 queued sales: with Till's plugin (one mutation and one transaction per
#    batch), through the plain Admin API (the order process, ~6 requests per sale), and to
#    the reference server; only orders Vendure fulfilled (Delivered) count, and every sale
#    must be one.  The till logs in as `till` (the plugin's role till-pos).
# Each push run starts from a fresh copy of the seeded Vendure database.  Not part of
# `make test` (the plain path alone takes minutes).
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_VARIANTS:-10000}
SALES=${BENCH_SALES:-1000}
RUNS=${BENCH_RUNS:-3}
B=build/bench/vendure
mkdir -p "$B"
sh scripts/vendure-install.sh || { echo "bench/vendure.sh: Vendure cannot be installed here"; exit 1; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
free_port() {
    while :; do
        p=$(( 20000 + (RANDOM * 7 + $$) % 10000 ))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}
TAX="vendure.tax_classes=Standard Tax=std; Reduced Tax=red; Zero Tax=zero"
VPORT=$(free_port)
API=http://127.0.0.1:$VPORT/admin-api
vendure_start() { # a fresh copy of the seeded database; a session token in $B/vtoken
    # the last server must be gone: a login to it would give a token the new one refuses
    if [ -f "$B/v/vendure.pid" ] && kill "$(cat "$B/v/vendure.pid")" 2>/dev/null; then
        while kill -0 "$(cat "$B/v/vendure.pid")" 2>/dev/null; do sleep 0.2; done
    fi
    sh scripts/vendure-server.sh "$B/v" "$VPORT" "$N" 1 || exit 1
    (umask 077 && curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
        -d '{"query":"mutation{login(username:\"till\",password:\"till-test-password\"){__typename}}"}' "$API" |
        sed -n 's/^vendure-auth-token: *//ip' | tr -d '\r' > "$B/vtoken")
}
trap '[ -f "$B/v/vendure.pid" ] && kill "$(cat "$B/v/vendure.pid")" 2>/dev/null; [ -n "$SERVER_PID" ] && kill $SERVER_PID 2>/dev/null' EXIT
# till --sync-now until the queue is empty (it stops after 10 minutes): the summed ms
till_drain() { # DB extra-args...
    db=$1; shift
    total=0
    for _ in $(seq 20); do
        out=$(build/till --db "$db" --set catalog.demo=no --set sync.now_deadline_s=3600 "$@" --sync-now 2>&1) || true
        t=$(echo "$out" | sed -n 's/.*; \([0-9]*\) ms.*/\1/p')
        [ -n "$t" ] || { echo "sync failed: $out" >&2; return 1; }
        total=$((total + t))
        left=$(sqlite3 "$db" "select count(*) from outbox where state = 'pending'")
        [ "$left" = 0 ] && { echo "$total"; return 0; }
    done
    return 1
}

# The same catalog for the reference server and Till's local copy: the Vendure seed's
# products (tests/vendure/server.ts), prices including tax as the seeded channel's do.
CSV=$B/catalog-$N.csv
awk -v n="$N" 'BEGIN {
    print "sku,barcode,name,price,unit,tax_class,age_restricted"
    split("std red zero", tc, " ")
    for (i = 1; i <= n; i++) {
        body = sprintf("400%09d", i); s = 0
        for (k = 1; k <= 12; k++) s += substr(body, k, 1) * ((k - 1) % 2 ? 3 : 1)
        printf "V%05d,%s%d,Till item %d,%d,each,%s,0\n", i, body, (10 - s % 10) % 10, i, 100 + (i * 37) % 900, (i % 3 == 0 ? "std" : i % 3 == 1 ? "red" : "zero")
    }
}' > "$CSV"

SDB=$B/server-$N.db
rm -f "$SDB"*
build/till-server --db "$SDB" import "$CSV" > /dev/null || exit 1
(umask 077 && build/till-server --db "$SDB" token create T1 > "$B/ntoken") || exit 1
build/till-server --db "$SDB" serve --port 0 > "$B/server.out" 2> /dev/null &
SERVER_PID=$!
for _ in $(seq 100); do grep -q listening "$B/server.out" && break; sleep 0.05; done
NPORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$B/server.out")
# BENCH_VENDURE_ONLY=push skips the full sync
[ "${BENCH_VENDURE_ONLY:-}" = push ] && RUNS_FULL=0 || RUNS_FULL=$RUNS
[ "$RUNS_FULL" = 0 ] || { echo "== full sync of $N variants (catalog + stock) into an empty till"; vendure_start; }
full=""; nat=""
for r in $(seq "$RUNS_FULL"); do
    rm -f "$B/full.db"* "$B/nfull.db"*
    t=$(till_drain "$B/full.db" --set sync.backend=vendure --set sync.url="$API" --set sync.token_file="$B/vtoken" \
        --set "$TAX" --set sync.page_size=1000) || exit 1
    got=$(sqlite3 "$B/full.db.catalog" "select count(*) from products") # the catalog has its own file
    [ "$got" = "$N" ] || { echo "Vendure full sync brought $got products, not $N"; exit 1; }
    full="$full $t"
    t=$(till_drain "$B/nfull.db" --set sync.url="http://127.0.0.1:$NPORT" --set sync.token_file="$B/ntoken" \
        --set sync.page_size=1000) || exit 1
    nat="$nat $t"
    echo "  run $r: Vendure $(echo $full | awk '{print $NF}') ms, reference server $t ms"
done
[ "$RUNS_FULL" = 0 ] || echo "full sync of $N variants: Vendure median $(echo $full | tr ' ' '\n' | median) ms, reference server (same page size) median $(echo $nat | tr ' ' '\n' | median) ms"

echo "== pushing $SALES queued sales"
SALESDB=$B/sales-$SALES.db
rm -f "$SALESDB"*
build/till --db "$SALESDB" --set catalog.demo=no --import-catalog "$CSV" > /dev/null || exit 1
build/bench/gen_sales "$SALESDB" "$SALES" V00001 V00002 || exit 1
now=$(date +%s)
sqlite3 "$SALESDB" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
sqlite3 "$SALESDB.catalog" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
for mode in on off native; do
    res=""
    for r in $(seq "$RUNS"); do
        rm -f "$B/push.db"*
        cp "$SALESDB" "$B/push.db"; cp "$SALESDB.catalog" "$B/push.db.catalog"
        # nothing to pull but the stock round: the cursors say the catalog is current (the
        # catalog's in its own file), and the till already belongs to this backend
        # (the plugin's stock feed reads changes since a time: from now; the plain one reads
        # every level each round, from a position: past the end)
        if [ "$mode" = native ]; then cursor=999999999; be=native; else cursor=$((now << 20)); be=vendure; fi
        case $mode in on) scursor=$((now << 20));; off) scursor=999999;; *) scursor=999999999;; esac
        sqlite3 "$B/push.db.catalog" "UPDATE catalog_meta SET value = '$cursor' WHERE key = 'cursor'" &&
            sqlite3 "$B/push.db" "INSERT OR REPLACE INTO meta VALUES ('sync.backend', '$be'), ('sync.stock_cursor.store-1', '$scursor')" || exit 1
        if [ "$mode" = native ]; then
            # a fresh server database each run, as Vendure gets one
            rm -f "$B/npush.db"*
            cp "$SDB" "$B/npush.db"
            build/till-server --db "$B/npush.db" serve --port 0 > "$B/npush.out" 2> /dev/null &
            PUSH_PID=$!
            for _ in $(seq 100); do grep -q listening "$B/npush.out" && break; sleep 0.05; done
            PPORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$B/npush.out")
            t=$(till_drain "$B/push.db" --set sync.url="http://127.0.0.1:$PPORT" --set sync.token_file="$B/ntoken") || exit 1
            kill $PUSH_PID; wait $PUSH_PID 2>/dev/null
            n=$(sqlite3 "$B/npush.db" "select count(*) from orders")
            [ "$n" = "$SALES" ] || { echo "the reference server holds $n orders, not $SALES"; exit 1; }
        else
            vendure_start
            # stock for every sale: the plain Admin API path cannot fulfil beyond it (the
            # plugin fulfils a till's sale whatever the stock; test_vendure checks that)
            sa=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
                -d '{"query":"mutation{login(username:\"till-admin\",password:\"till-test-password\"){__typename}}"}' "$API" |
                sed -n 's/^vendure-auth-token: *//ip' | tr -d '\r')
            curl -fsS -o /dev/null -H "Authorization: Bearer $sa" -H 'Content-Type: application/json' \
                -d '{"query":"mutation{updateProductVariants(input:[{id:1,stockOnHand:1000000},{id:2,stockOnHand:1000000}]){id}}"}' "$API" || exit 1
            t=$(till_drain "$B/push.db" --set sync.backend=vendure --set sync.url="$API" --set sync.token_file="$B/vtoken" \
                --set "$TAX" --set vendure.plugin="$mode" --set sync.page_size=1000 --set sync.batch=100) || exit 1
            n=$(curl -fsS -H "Authorization: Bearer $(cat "$B/vtoken")" -H 'Content-Type: application/json' \
                -d '{"query":"{orders(options:{filter:{tillKey:{isNull:false},state:{eq:\"Delivered\"}},take:1}){totalItems}}"}' "$API" |
                sed -n 's/.*"totalItems":\([0-9]*\).*/\1/p')
            [ "$n" = "$SALES" ] || { echo "Vendure holds $n fulfilled till orders, not $SALES"; exit 1; }
        fi
        res="$res $t"
        echo "  $mode run $r: $t ms ($(awk -v n="$SALES" -v t="$t" 'BEGIN { printf "%.1f", n * 1000 / t }') orders/s)"
    done
    m=$(echo $res | tr ' ' '\n' | median)
    case $mode in on) what="Vendure with Till's plugin";; off) what="Vendure, plain Admin API";; *) what="reference server";; esac
    echo "push of $SALES sales, $what: median $m ms = $(awk -v n="$SALES" -v t="$m" 'BEGIN { printf "%.1f", n * 1000 / t }') fulfilled orders/s"
done
