#!/bin/bash
# `till --check-config`, `till --outbox` and `till --sync-rejects` only read: with no
# database at the configured path they create nothing and say so; on an existing one they
# describe it and leave it as it was.  The commands the README gives for the `make run`
# demo name the database scripts/run-demo.sh really uses.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export HOME=$T_DIR/home XDG_DATA_HOME= XDG_CONFIG_HOME=
mkdir -p "$HOME" "$T_DIR/cwd"
cd "$T_DIR/cwd" || exit 1

out=$("$TILL_BIN" --check-config 2>&1); rc=$?
check_eq "--check-config without a database succeeds" 0 "$rc"
check "--check-config names the default database" grep -qF "$HOME/.local/share/till/till.db" <<< "$out"
check "--check-config says the database does not exist yet" grep -qF "does not exist yet" <<< "$out"
out=$("$TILL_BIN" --outbox 2>&1); rc=$?
check_eq "--outbox without a database fails" 1 "$rc"
check "--outbox says there is no database and how to name one" \
    grep -qE "no database at $HOME/.local/share/till/till.db.*--db PATH" <<< "$out"
out=$("$TILL_BIN" --sync-rejects 2>&1); rc=$?
check_eq "--sync-rejects without a database fails" 1 "$rc"
check "--sync-rejects says there is no database" grep -qF "no database at $HOME/.local/share/till/till.db" <<< "$out"
check_eq "none created a file or directory" "" "$(find "$HOME" . -mindepth 1)"

# an existing database: described, listed, and not changed (not even its -wal/-shm files)
DB=$T_DIR/shop/till.db
mkdir -p "$T_DIR/shop"
"$TILL_BIN" --db "$DB" --import-catalog "$TILL_ROOT/assets/demo-catalog.csv" > /dev/null
sum=$(sha256sum "$DB")
files=$(ls "$T_DIR/shop")
out=$("$TILL_BIN" --db "$DB" --check-config 2>&1)
check "--check-config describes an existing database" grep -qE "293 products, 0 sales, 0 waiting" <<< "$out"
out=$("$TILL_BIN" --db "$DB" --outbox 2>&1)
check "--outbox lists it" grep -qF "0 not yet accepted by the store server" <<< "$out"
out=$("$TILL_BIN" --db "$DB" --sync-rejects 2>&1)
check "--sync-rejects lists none" grep -qF "0 rows from the store server refused" <<< "$out"
check_eq "the database file is unchanged" "$sum" "$(sha256sum "$DB")"
check_eq "no files appeared beside it" "$files" "$(ls "$T_DIR/shop")"

# README and make run agree on the demo's database
demo_dir=$(sed -n 's/^DEMO=//p' "$TILL_ROOT/scripts/run-demo.sh")
check "run-demo.sh keeps the demo database in \$DEMO/till.db" grep -qF -- '--db "$DEMO/till.db"' "$TILL_ROOT/scripts/run-demo.sh"
for cmd in --check-config --outbox; do
    check "README gives 'build/till --db $demo_dir/till.db $cmd'" \
        grep -qxF "build/till --db $demo_dir/till.db $cmd" "$TILL_ROOT/README.md"
done
finish
