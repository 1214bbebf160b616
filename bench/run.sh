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
failed=""
# step NAME COMMAND...: a benchmark that cannot run says so, and the others still run
step() {
    name=$1
    shift
    "$@" || { rc=$?; echo "== $name could not run to the end (exit $rc); going on with the rest"; status=1; failed="$failed $name"; }
}
# the figures as JSON lines too (name, value, unit, goal, floor), for scripts
mkdir -p build/bench && : > build/bench/results.jsonl
echo "== till in a pty: start-up and scan-to-screen"
step bench_ui build/bench/bench_ui build/till "$CAT" "$N" 7 1000
echo "== scan-to-cart without rendering, beside the bare SQLite lookup; name search per keystroke"
step bench_scan build/bench/bench_scan "$CAT" "$N" 100000
echo "== Germany's TSE (simulated): what it adds to a sale"
step bench_tse build/bench/bench_tse 500
echo "== PIN checks (argon2id) at the default parameters"
step bench_pin build/bench/bench_pin 30
echo "== sync with the reference server"
step sync bash bench/sync.sh
echo "== sync with a real Vendure (installs it once; the plain Admin API push takes minutes)"
step vendure bash bench/vendure.sh
echo "== reference server: catalog import and catalog pages"
step server sh bench/server.sh
echo "== reference server: 200 tills at once (orders exactly once)"
step load200 env LOAD_JSONL=1 bash bench/load200.sh
echo "== a chain's store: 1,000 tills through HAProxy to 1, 2, 4 processes on PostgreSQL, and to SQLite"
step load_chain bash bench/load_chain.sh
[ -z "$failed" ] || echo "== benchmarks that could not run to the end:$failed (their messages above)"
exit $status
