#!/bin/bash
# Receipts left unwritten (as after a salvage or an import: 1,000 sales with no receipt
# file) are written at start-up in the background, on the loop, newest first, while the
# status line says so (app/app_storage.c): the till answers keys meanwhile, and when it is
# done every sale has its receipt and the audit log says how many were written.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
SPOOL=$XDG_DATA_HOME/till/spool
q() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
N=1000
mkdir -p "$(dirname "$DB")"
"$TILL_ROOT/build/bench/gen_sales" "$DB" $N > /dev/null || fail "gen_sales"
q "update sales set receipt_spooled = 0"
check_eq "$N receipts to write" $N "$(q 'select count(*) from sales where receipt_spooled = 0')"

t_tmux_start 120x30 "$TILL_BIN"
check "the till is ready at once" t_wait_for "Empty sale" 20
t_keys 4010433218190 Enter
check "and takes a scan" t_wait_for "Whole Milk 1L" 20
left=$(q 'select count(*) from sales where receipt_spooled = 0')
echo "receipts still to write when the scan was on screen: $left of $N"
check "the status line says receipts are being written" sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -q 'Writing receipts from before the restart' || [ $left = 0 ]"
n=0
while [ "$n" -lt 1200 ] && [ "$(q "select count(*) from audit_log where event = 'spool_recovered'")" = 0 ]; do
    sleep 0.05; n=$((n + 1))
done
echo "audit: $(q "select detail from audit_log where event = 'spool_recovered'")"
check_eq "done: audited once, every receipt written" 1 \
    "$(q "select count(*) from audit_log where event = 'spool_recovered' and detail like '$N receipts written after a restart, 0 failed%'")"
check_eq "no sale without its receipt" 0 "$(q 'select count(*) from sales where receipt_spooled = 0')"
check_eq "one file each" $N "$(ls "$SPOOL" | grep -c '^receipt-')"
check "the status line no longer says so" t_wait_gone "Writing receipts" 10
# newest first: the newest sale's receipt file is older than the oldest sale's
newest=$(q "select uuid from sales order by id desc limit 1")
oldest=$(q "select uuid from sales order by id limit 1")
tn=$(find "$SPOOL" -name "receipt-*-$newest.txt" -printf '%T@')
to=$(find "$SPOOL" -name "receipt-*-$oldest.txt" -printf '%T@')
check "newest first: the newest sale's receipt was written before the oldest's" \
    awk -v a="$tn" -v b="$to" 'BEGIN { exit !(a + 0 < b + 0) }'
t_keys F8
t_wait_for "Cancel the whole sale?" > /dev/null
t_keys y
check "the sale is cancelled" t_wait_for "Empty sale"
finish
