#!/bin/bash
# One fuzz target for SECONDS: its shipped seeds (tests/fuzz-corpus/<target>/, small valid
# inputs, read only) and its growing corpus (build/fuzz/corpus/<target>/, where new inputs
# go), then one line of coverage:
#   COVERAGE: fuzz_x cov 512 ft 1400 corpus 37 (seeds 4, initial cov 310)
# A target without shipped seeds fails: every parser of outside bytes starts from valid input.
# Used by tests/run.sh (briefly) and `make fuzz` (longer).  Usage: fuzz_run.sh TARGET SECONDS
cd "$(dirname "$0")/.." || exit 1
bin=$1 secs=${2:-10}
name=$(basename "$bin")
seeds=tests/fuzz-corpus/$name
grow=build/fuzz/corpus/$name
if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
    echo "FAIL: $name has no seed corpus in $seeds"
    echo "RESULT: 0 passed, 1 failed"
    exit 1
fi
mkdir -p "$grow"
log=$(mktemp)
"$bin" -max_total_time="$secs" -print_final_stats=0 "$grow" "$seeds" 2> "$log"
rc=$?
tail -n 30 "$log" >&2
init=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
last=$(grep -E '(DONE|INITED|NEW|REDUCE|pulse) +cov:' "$log" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<< "$last")
rm -f "$log"
echo "COVERAGE: $name cov ${cov:-?} ft ${ft:-?} corpus ${corp:-?} (seeds $(ls "$seeds" | wc -l), initial cov ${init:-?})"
if [ "$rc" -eq 0 ]; then echo "RESULT: 1 passed, 0 failed"; else echo "RESULT: 0 passed, 1 failed"; fi
exit "$rc"
