#!/bin/bash
# The whole server test set (tests/test_server.c) once more, on PostgreSQL: a cluster of
# this test's own (tests/pg_cluster.sh), one database per test.  The cmocka lines it
# prints are what tests/run.sh counts.
cd "$(dirname "$0")/.." || exit 1
out=$(bash tests/pg_cluster.sh start); rc=$?
if [ "$rc" -eq 77 ]; then
    echo "SKIPPED: PostgreSQL is not installed (postgresql-15; make test's dependency step installs it)"
    echo "RESULT: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
[ "$rc" -eq 0 ] || { echo "FAIL: cannot start a PostgreSQL cluster"; echo "RESULT: 0 passed, 1 failed"; exit 1; }
dir=$(head -n 1 <<< "$out")
trap 'bash tests/pg_cluster.sh stop "$dir"' EXIT
TILL_TEST_PG=$(tail -n 1 <<< "$out") ./build/asan/tests/test_server
