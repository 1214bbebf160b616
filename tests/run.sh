#!/bin/bash
# Runs every test program (cmocka unit tests under ASan+UBSan, short fuzz runs, shell
# end-to-end tests) and prints one closing line for the whole suite: N passed, N failed.
# TEST_JOBS (default 3) programs run at once: most of the suite waits on screens, servers
# and timers rather than the CPU, and each test has its own files, ports and tmux server.
cd "$(dirname "$0")/.." || exit 1
# every test gets UTF-8, whatever the caller's locale (tests/lib.sh says why)
export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset LANGUAGE
mkdir -p build/test-logs
passed=0
failed=0
skipped=0
failures=""
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

count() { # count NAME LOG RC
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p; s/^RESULT: \([0-9]*\) passed.*/\1/p' "$2" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p; s/^RESULT: [0-9]* passed, \([0-9]*\) failed.*/\1/p' "$2" | awk '{s+=$1} END {print s+0}')
    # Skipped tests (cmocka's skip(), or "SKIPPED: why" from a shell test) count as skipped,
    # never as passed, and a program that only skipped did not fail either.
    s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p; s/^RESULT: .* \([0-9]*\) skipped.*/\1/p' "$2" | awk '{s+=$1} END {print s+0}')
    skipped=$((skipped + s))
    [ "$s" -gt 0 ] && grep -h '^SKIPPED:' "$2" | head -n 1 | sed 's/^/   /'
    # A program that crashed or exited non-zero without reporting a failure counts as one.
    if [ "$3" -ne 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then f=1; fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then f=1; echo "   (ran no test)"; fi
    # a fuzz target's coverage (tests/fuzz_run.sh) is part of the run's output
    grep -h '^COVERAGE:' "$2" | sed 's/^/   /'
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ]; then failures="$failures $1"; echo "-- $1: $p passed, $f failed (log: $2)"; tail -n 40 "$2"
    elif [ "$s" -gt 0 ]; then echo "-- $1: $p passed, $s SKIPPED"
    else echo "-- $1: $p passed"; fi
}

JOBS=${TEST_JOBS:-3}
declare -A job_name job_log
# start NAME CMD...: runs CMD in the background, its output in build/test-logs/NAME.log;
# waits for a free slot first.
start() {
    local name=$1; shift
    while [ "${#job_name[@]}" -ge "$JOBS" ]; do reap; done
    "$@" > "build/test-logs/$name.log" 2>&1 &
    job_name[$!]=$name
    job_log[$!]=build/test-logs/$name.log
}
# reap: counts the next program to finish.
reap() {
    local pid rc
    wait -n -p pid
    rc=$?
    count "${job_name[$pid]}" "${job_log[$pid]}" "$rc"
    unset "job_name[$pid]" "job_log[$pid]"
}
# A fuzz target runs briefly here (`make fuzz` runs them longer); a clean run is one pass.
# It starts from its shipped seeds (tests/fuzz-corpus/) and reports its coverage.
fuzz_briefly() { # TARGET
    bash tests/fuzz_run.sh "$1" "${FUZZ_TEST_SECONDS:-10}"
}

# The end-to-end tests first, the longest scripts first, so that the slowest are not last.
for t in $(ls -S tests/e2e_*.sh); do
    [ -f "$t" ] && start "$(basename "$t" .sh)" timeout 900 bash "$t"
done
for t in build/asan/tests/test_*; do
    [ -x "$t" ] && start "$(basename "$t")" "$t"
done
for t in build/fuzz/tests/fuzz_*; do
    [ -x "$t" ] && start "$(basename "$t")" fuzz_briefly "$t"
done
while [ "${#job_name[@]}" -gt 0 ]; do reap; done

[ -n "$failures" ] && echo "failed:$failures"
[ "$skipped" -gt 0 ] && echo "$skipped skipped (not counted as passed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
