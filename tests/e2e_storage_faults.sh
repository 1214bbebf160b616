#!/bin/bash
# The real till against the failures it reports: a database locked by another program for
# 8 s, the file size limit reached in the middle of a sale and at start-up, a read-only
# database directory, receipts a crash left unwritten, a damaged database (refused, listed
# as damaged by --outbox, recovered by --salvage), files owner-only whatever the umask.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
SPOOL=$XDG_DATA_HOME/till/spool
q() { sqlite3 -cmd ".timeout 10000" "$DB" "$1"; }
mode_of() { stat -c %a "$1"; }

pay_milk() {
    t_keys 4010433218190 Enter
    t_wait_for "Whole Milk 1L" 5 > /dev/null || return 1
    t_keys F5
    t_wait_for "F6: card" 5 > /dev/null || return 1
    t_keys Enter
}
start_till() { # start_till [shell prefix]: the till in tmux, its pid in $pid
    t_tmux_start 100x30 "${1:-} exec $TILL_BIN"
    t_wait_for "Empty sale" 10 > /dev/null || return 1
    pid=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}')
}
quit_till() { t_keys F10; t_wait_exit 10; }

# --- owner-only files whatever the umask -------------------------------------------------
start_till "umask 000;" || fail "till did not start"
pay_milk && t_wait_for "CHANGE DUE" 10 > /dev/null && t_keys Enter
t_wait_for "Empty sale" 5 > /dev/null
check_eq "database 0600 under umask 000" 600 "$(mode_of "$DB")"
check_eq "its -wal 0600" 600 "$(mode_of "$DB-wal")"
check_eq "log 0600" 600 "$(mode_of "$DB.log")"
check_eq "receipt 0600" 600 "$(mode_of "$(ls "$SPOOL"/receipt-*.txt | head -n 1)")"
check_eq "database directory 0700" 700 "$(mode_of "$XDG_DATA_HOME/till")"
check_eq "spool directory 0700" 700 "$(mode_of "$SPOOL")"
quit_till

# --- database locked for 8 s by another process ------------------------------------------
start_till || fail "till did not start"
( echo "BEGIN IMMEDIATE;"; echo "INSERT INTO meta (key, value) VALUES ('lock-test', '1');"; sleep 8
  echo "ROLLBACK;" ) | sqlite3 "$DB" &
lock_pid=$!
# wait until the other process holds the write lock
for _ in $(seq 100); do
    sqlite3 "$DB" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null || break
    sleep 0.05
done
t0=$(date +%s)
pay_milk
check "locked: the paid sale waits on screen, not saved" t_wait_for "NOT saved yet" 15
check "locked: the screen says the database is busy" t_wait_for "busy" 5
check_eq "locked: nothing saved" 1 "$(q 'select count(*) from sales')"
wait "$lock_pid"
check "saved by itself once the lock is gone" t_wait_for "CHANGE DUE" 20
t1=$(date +%s)
check "the lock was held for 8 s" test $((t1 - t0)) -ge 7
check_eq "saved once" 2 "$(q 'select count(*) from sales')"
check_eq "its order queued once" 2 "$(q "select count(*) from outbox where kind = 'order'")"
t_keys Enter
quit_till

# --- file size limit reached during a sale (SIGXFSZ) --------------------------------------
start_till || fail "till did not start"
wal=$(stat -c %s "$DB-wal")
# the write-ahead log may not grow any more: the next commit's frames are past the limit
prlimit --pid "$pid" --fsize="$wal:unlimited"
pay_milk
check "file size limit: not saved yet, and says why" t_wait_for "file size limit" 15
check "file size limit: Till is alive (SIGXFSZ did not kill it)" test "$(t_pane_dead && echo dead)" != dead
check_eq "file size limit: nothing saved" 2 "$(q 'select count(*) from sales')"
prlimit --pid "$pid" --fsize=unlimited:unlimited
check "space back: the same sale saved" t_wait_for "CHANGE DUE" 20
check_eq "saved once" 3 "$(q 'select count(*) from sales')"
t_keys Enter
quit_till

# --- file size limit at start-up: a message, not a silent death -------------------------
(ulimit -f 1; exec "$TILL_BIN" < /dev/null > "$T_DIR/fsize.out" 2>&1)
rc=$?
check_eq "ulimit -f 1: exit status 1 (not killed by SIGXFSZ, 153)" 1 "$rc"
check "ulimit -f 1: says the file size limit was reached" grep -q "file size limit reached (ulimit -f" "$T_DIR/fsize.out"

# --- receipts after a crash ---------------------------------------------------------------
last=$(q "select uuid from sales order by id desc limit 1")
file=$(ls "$SPOOL"/receipt-*-"$last".txt)
cp "$file" "$T_DIR/expected-receipt"
# as a kill between the commit and the receipt file leaves it: no file, a stray .tmp
rm "$file"
q "update sales set receipt_spooled = 0 where uuid = '$last'"
echo half > "$SPOOL/receipt-000099-deadbeef.txt.tmp"
start_till || fail "till did not restart"
# written in the background on the loop after the start: done when the audit row is there
n=0
while [ "$n" -lt 400 ] && [ "$(q "select count(*) from audit_log where event = 'spool_recovered'")" = 0 ]; do
    sleep 0.05; n=$((n + 1))
done
check "the missing receipt is written at start" cmp -s "$file" "$T_DIR/expected-receipt"
check_eq "no temporary file left" 0 "$(ls "$SPOOL" | grep -c '\.tmp$')"
check_eq "the sale is marked spooled" 0 "$(q 'select count(*) from sales where receipt_spooled = 0')"
check_eq "the audit log says so" 1 "$(q "select count(*) from audit_log where event = 'spool_recovered' and detail like '1 receipts written%1 temporary%'")"
check_eq "every sale has its receipt file" "$(q 'select count(*) from sales')" "$(ls "$SPOOL"/receipt-*.txt | wc -l)"
quit_till

# --- read-only database directory ---------------------------------------------------------
RO=$T_DIR/ro
mkdir -p "$RO/spool"
cp "$DB" "$RO/till.db"
chmod 755 "$T_DIR" "$RO"
chmod 777 "$RO/spool"
RO_BIN=$TILL_BIN
if [ "$(id -u)" = 0 ]; then
    as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent "$@"; }
    chmod 666 "$RO/till.db"
    # the other user may not reach the clone (under /root, 0700): it runs a copy from here
    RO_BIN=$T_DIR/till && cp "$TILL_BIN" "$RO_BIN" && chmod 755 "$RO_BIN"
else
    as_other() { "$@"; }
    chmod 555 "$RO"
fi
# the other user must reach the copy: a parent of the test directory that it cannot
# traverse (a TMPDIR under a 0700 directory) makes the check impossible, never a failure
if ! as_other test -x "$RO_BIN" || ! as_other test -r "$RO/till.db"; then
    skip "read-only directory: the unprivileged user cannot reach $T_DIR (a parent directory is not traversable for it); run with TMPDIR=/tmp"
else
    as_other "$RO_BIN" --db "$RO/till.db" --spool "$RO/spool" < /dev/null > "$T_DIR/ro.out" 2>&1
    check_eq "read-only directory: exit status 1" 1 "$?"
    check "read-only directory: says which directory and why" grep -q "cannot write in $RO, the database's directory" "$T_DIR/ro.out"
    cat "$T_DIR/ro.out"
fi

# --- a damaged database -------------------------------------------------------------------
sales=$(q 'select count(*) from sales')
q "pragma wal_checkpoint(truncate)" > /dev/null
page=$(q "select pageno from dbstat where name = 'outbox' and pagetype = 'leaf' order by pageno limit 1")
[ -n "$page" ] || page=$(q "select rootpage from sqlite_schema where name = 'outbox'")
head -c 4096 /dev/urandom | dd of="$DB" bs=4096 seek=$((page - 1)) conv=notrunc 2> /dev/null
"$TILL_BIN" < /dev/null > "$T_DIR/damaged.out" 2>&1
check_eq "damaged: Till refuses to start" 1 "$?"
check "damaged: says so and names the recovery" grep -q "is damaged.*till --salvage" "$T_DIR/damaged.out"
"$TILL_BIN" --outbox > "$T_DIR/outbox.out" 2>&1
check_eq "damaged: --outbox fails" 1 "$?"
check "damaged: --outbox says the database is damaged" grep -q "is damaged" "$T_DIR/outbox.out"
"$TILL_BIN" --salvage > "$T_DIR/salvage.out" 2>&1
check_eq "salvage succeeds" 0 "$?"
cat "$T_DIR/salvage.out"
check "salvage keeps the damaged file" test -f "$(sed -n 's/.*kept as //p' "$T_DIR/salvage.out")"
check_eq "salvage recovers every sale" "$sales" "$(q 'select count(*) from sales')"
check_eq "the fresh database is sound" ok "$(q 'pragma integrity_check')"
start_till || fail "till does not start after salvage"
pay_milk
check "and sells again" t_wait_for "CHANGE DUE" 10
quit_till
finish
