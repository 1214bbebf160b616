#!/bin/sh
# The reference server on a generated catalog of BENCH_PRODUCTS products (default 1000000):
# time of one CSV import, then the latency of GET /v1/catalog pages of 5000 spread over
# the whole sequence (median and max of 21 pages, measured by curl on loopback).
cd "$(dirname "$0")/.." || exit 1
N=${BENCH_PRODUCTS:-1000000}
DIR=build/bench/server-$N
BIN=build/till-server
mkdir -p "$DIR"
rm -f "$DIR"/store.db*
CSV=$DIR/catalog.csv
if [ ! -f "$CSV" ]; then
    awk -v n="$N" 'BEGIN { print "sku,barcode,name,price,unit,tax_class,age_restricted";
        for (i = 0; i < n; i++)
            printf "B%07d,29%011d,Bench product %d,%d,each,std,0\n", i, i, i, 100 + i % 900 }' > "$CSV.tmp" &&
        mv "$CSV.tmp" "$CSV" || exit 1
fi
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms)
"$BIN" --db "$DIR/store.db" import "$CSV" > /dev/null || exit 1
echo "import of $N products: $(( $(ms) - t0 )) ms"

TOKEN=$("$BIN" --db "$DIR/store.db" token create BENCH) || exit 1
"$BIN" --db "$DIR/store.db" serve --port 0 > "$DIR/server.out" 2> "$DIR/server.log" &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q listening "$DIR/server.out" && break; sleep 0.05; done
PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$DIR/server.out")
[ -n "$PORT" ] || { echo "server did not start"; exit 1; }
for i in $(seq 0 20); do
    since=$(( (N > 5000 ? N - 5000 : 0) * i / 20 ))
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT/v1/catalog?since=$since&limit=5000"
done | sort -n | awk '{ t[NR] = $1 * 1000 } END {
    printf "GET /v1/catalog limit=5000: median %.1f ms, max %.1f ms (%d pages)\n", t[int((NR + 1) / 2)], t[NR], NR }'
