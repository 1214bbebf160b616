#!/bin/sh
# `make bench`: every benchmark, on generated catalogs cached in build/bench/.
# BENCH_PRODUCTS (default 1000000) sets the catalog size.
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_PRODUCTS:-1000000}
CAT=build/bench/catalog-$N.db
if [ ! -f "$CAT" ]; then
    echo "generating a $N-product catalog in $CAT (once)..."
    # the catalog is the file beside the database (DB.catalog)
    build/bench/gen_catalog "$CAT.tmp" "$N" && mv "$CAT.tmp.catalog" "$CAT.catalog" && mv "$CAT.tmp" "$CAT" || exit 1
fi
status=0
# the figures as JSON lines too (name, value, unit, goal, floor), for scripts
mkdir -p build/bench && : > build/bench/results.jsonl
echo "== till in a pty: start-up and scan-to-screen"
build/bench/bench_ui build/till "$CAT" "$N" 7 1000 || status=1
echo "== scan-to-cart without rendering, beside the bare SQLite lookup; name search per keystroke"
build/bench/bench_scan "$CAT" "$N" 100000 || status=1
echo "== Germany's TSE (simulated): what it adds to a sale"
build/bench/bench_tse 500 || status=1
echo "== PIN checks (argon2id) at the default parameters"
build/bench/bench_pin 30 || status=1
echo "== sync with the reference server"
bash bench/sync.sh || status=1
echo "== sync with a real Vendure (installs it once; the plain Admin API push takes minutes)"
bash bench/vendure.sh || status=1
echo "== reference server: catalog import and catalog pages"
sh bench/server.sh || status=1
echo "== reference server: 200 tills at once (orders exactly once)"
LOAD_JSONL=1 bash bench/load200.sh || status=1
echo "== a chain's store: 1,000 tills through HAProxy to 1, 2, 4 processes on PostgreSQL, and to SQLite"
bash bench/load_chain.sh || status=1
exit $status
