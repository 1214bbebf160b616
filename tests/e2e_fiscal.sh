#!/bin/bash
# End to end: Germany's TSE with the simulated TSE ([fiscal] country = DE).  A manager opens
# a shift and sells in cash, by card and with a voucher, cancels a sale, takes a return,
# pays in and out, opens the drawer without a sale and closes with a Z.  Every printed
# receipt (the file printer's ESC/POS, decoded) carries the TSE fields and a QR code whose
# text parses and whose signature verifies (build/tse-verify, OpenSSL).  The TSE fails
# mid-day: the sale completes, its receipt says TSE ausgefallen, the outage is recorded and
# ends with the next good answer.  Killed between a sale's start and its finish, the till
# finishes (the restored sale) or aborts (a lost one) exactly once after the restart.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
PRN=$T_DIR/printer.escpos
CTL=$T_DIR/tse-control
VIEW=$TILL_ROOT/build/escpos-view
VERIFY=$TILL_ROOT/build/tse-verify
q() { sqlite3 "$DB" "$1"; }
# wait_q EXPECTED SQL: the database says so (the TSE's start runs from the loop after the scan)
wait_q() {
    local n=0
    while [ "$n" -lt 100 ]; do
        [ "$(q "$2")" = "$1" ] && return 0
        sleep 0.1; n=$((n + 1))
    done
    echo "--- expected '$1', got '$(q "$2")'"
    return 1
}
echo ok > "$CTL"

printf '4321\n' | "$TILL_BIN" --add-staff Mia --role manager > /dev/null 2>&1
TILL="$TILL_BIN --set fiscal.country=DE --set fiscal.till_serial=KASSE-01 --set fiscal.sim_control=$CTL \
    --set payment.sim.latency_ms=100 --set staff.idle_lock_s=0 --set printer.driver=file \
    --set printer.file.path=$PRN"

sign_on() {
    t_wait_for "Staff id:" 10 > /dev/null
    t_keys 1 Enter
    t_wait_for "PIN for " 5 > /dev/null
    t_keys 4321 Enter
}
# qr_count: QR codes printed so far
qr_count() { [ -f "$PRN" ] && "$VIEW" --codes "$PRN" | grep -c '^QR ' || echo 0; }
# wait_qr N: the printer has N QR codes (printing runs from its queue, a moment later)
wait_qr() {
    local n=0
    while [ "$n" -lt 150 ]; do
        [ "$(qr_count)" -ge "$1" ] && return 0
        sleep 0.1; n=$((n + 1))
    done
    return 1
}
printed_has() {
    local n=0
    while [ "$n" -lt 150 ]; do
        "$VIEW" "$PRN" 2>/dev/null | grep -q "$1" && return 0
        sleep 0.1; n=$((n + 1))
    done
    return 1
}
next_customer() { t_keys Enter; t_wait_for "Empty sale" 5 > /dev/null; }

t_tmux_start 100x40 "$TILL"
sign_on
check "without a shift the manager is asked for the float" t_wait_for "Float counted:"
t_keys 100 Enter
check "the shift opens" t_wait_for "Shift 1 open"
check "the status bar shows the TSE" t_wait_for "TSE ok"

# cash
t_keys 4010433218190 Enter
t_wait_for "Whole Milk 1L" 5 > /dev/null
check "the first item started the TSE transaction" wait_q "sale|started" "select kind || '|' || state from fiscal_tx"
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys 5 Enter
check "cash sale completes" t_wait_for "CHANGE DUE: 3,81 €"
check "the receipt on screen has the TSE's transaction" t_wait_for "TSE-Transaktion: 1"
check "and the till's serial" t_wait_for "Kassen-Seriennummer: KASSE-01"
next_customer
# card
t_keys 4028710122696 Enter
t_wait_for "Basmati Rice 1kg" 5 > /dev/null
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys F6
check "card sale completes" t_wait_for "CHANGE DUE" 15
next_customer
# voucher
t_keys 4010433218190 Enter
t_wait_for "Whole Milk 1L" 5 > /dev/null
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_type_slowly "1,19"
t_keys F7
check "voucher sale completes" t_wait_for "CHANGE DUE" 10
next_customer
check "three receipts with QR codes printed" wait_qr 3
check_eq "three sales finished at the TSE" "3" "$(q "select count(*) from fiscal_tx where kind = 'sale' and state = 'finished'")"
check_eq "cash, card and voucher in the process data" \
    "Beleg^0.00_1.19_0.00_0.00_0.00^1.19:Bar|Beleg^0.00_2.99_0.00_0.00_0.00^2.99:Unbar|Beleg^0.00_1.19_0.00_0.00_0.00^1.19:Unbar" \
    "$(q "select group_concat(process_data, '|') from (select process_data from fiscal_tx where kind = 'sale' order by id)")"

# cancel
t_keys 4010433218190 Enter
t_wait_for "Whole Milk 1L" 5 > /dev/null
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys F8
t_wait_for "Yes, cancel the sale" 5 > /dev/null
t_keys y
check "the sale is cancelled" t_wait_for "Sale cancelled"
check_eq "the cancel is an AVBelegabbruch at the TSE" "cancel|aborted|AVBelegabbruch^0.00_0.00_0.00_0.00_0.00^" \
    "$(q "select kind || '|' || state || '|' || process_data from fiscal_tx order by id desc limit 1")"

# return of receipt 1's milk, cash back
t_wait_for "Empty sale" 5 > /dev/null
t_keys C-r
t_wait_for "Receipt:" 5 > /dev/null
t_keys 1 Enter
t_wait_for "Return: receipt 1" 5 > /dev/null
t_keys Enter
t_wait_for "Returned: Whole Milk" 5 > /dev/null
t_keys Escape
t_wait_for "TOTAL -1,19" 5 > /dev/null
t_keys F5
t_wait_for "Refund due" 5 > /dev/null
t_keys Enter
check "the return pays out" t_wait_for "PAID OUT: 1,19" 10
next_customer
check_eq "the return is a Beleg with negative amounts" "return|finished|Beleg^0.00_-1.19_0.00_0.00_0.00^-1.19:Bar" \
    "$(q "select kind || '|' || state || '|' || process_data from fiscal_tx order by id desc limit 1")"
check "the return's receipt has its QR code" wait_qr 4

# paid in 20, paid out 7, no sale
t_keys F9
t_wait_for "paid in" 5 > /dev/null
t_keys i
t_wait_for "Amount:" 5 > /dev/null
t_keys 20 Enter
t_wait_for "Reason:" 5 > /dev/null
t_keys "change from the bank" Enter
check "paid in recorded" t_wait_for "Paid in 20,00 € recorded"
t_keys F9
t_wait_for "paid out" 5 > /dev/null
t_keys o
t_wait_for "Amount:" 5 > /dev/null
t_keys 7 Enter
t_wait_for "Reason:" 5 > /dev/null
t_keys "window cleaner" Enter
check "paid out recorded" t_wait_for "Paid out 7,00 € recorded"
t_keys F9
t_wait_for "no sale" 5 > /dev/null
t_keys n
check "no sale opens the drawer" t_wait_for "No sale: the drawer is open"
check_eq "paid in, paid out and the no-sale are signed" \
    "no_sale|finished|SonstigerVorgang paid_in|finished|Beleg^0.00_0.00_0.00_0.00_0.00^20.00:Bar paid_out|finished|Beleg^0.00_0.00_0.00_0.00_0.00^-7.00:Bar" \
    "$(q "select kind || '|' || state || '|' || (case when process_type = 'SonstigerVorgang' then process_type else process_data end) from fiscal_tx where kind in ('paid_in', 'paid_out', 'no_sale') order by kind" | tr '\n' ' ' | sed 's/ $//')"

# the TSE fails mid-day: the sale completes and says so
echo fail > "$CTL"
t_keys 4010433218190 Enter
t_wait_for "Whole Milk 1L" 5 > /dev/null
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys 5 Enter
check "the sale completes without the TSE" t_wait_for "CHANGE DUE: 3,81 €"
check "its receipt says TSE ausgefallen" t_wait_for "TSE ausgefallen (TSE failed)"
check "the status bar says so" t_wait_for "TSE ausgefallen: TSE unreachable"
check "the printed receipt says so too" printed_has "TSE ausgefallen"
check_eq "the sale's record failed, with its amounts" "sale|failed|TSE unreachable|119" \
    "$(q "select kind || '|' || state || '|' || error || '|' || vat1 from fiscal_tx order by id desc limit 1")"
check_eq "an outage is open" "1|" "$(q "select count(*) || '|' || coalesce(max(ended_at), '') from fiscal_outages")"
check_eq "the sale is stored all the same" 5 "$(q 'select count(*) from sales')"
next_customer
echo ok > "$CTL"
t_keys 4010433218190 Enter
t_wait_for "Whole Milk 1L" 5 > /dev/null
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys 5 Enter
check "the next sale is signed again" t_wait_for "TSE-Transaktion:"
check "the status bar is back to ok" t_wait_for "TSE ok"
check_eq "the outage ended" "1|1" "$(q "select count(*) || '|' || count(ended_at) from fiscal_outages")"
next_customer

# a slow TSE (answers from the loop, as fiskaly does): the paid sale waits for the signature
echo slow:400 > "$CTL"
t_keys 4010433218190 Enter
t_wait_for "Whole Milk 1L" 5 > /dev/null
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys 5 Enter
check "a slow TSE: the sale completes once it has signed" t_wait_for "Sale 7 complete" 15
check_eq "with the signature on its receipt" "sale|finished|7" \
    "$(q "select kind || '|' || state || '|' || receipt_no from fiscal_tx where kind = 'sale' order by id desc limit 1")"
check_eq "and no outage for being slow" 1 "$(q "select count(*) from fiscal_outages")"
echo ok > "$CTL"
next_customer

# Z
t_keys F9
t_wait_for "Z report" 5 > /dev/null
t_keys z
t_wait_for "Cash counted:" 5 > /dev/null
t_type_slowly "118,57"
t_keys Enter
check "the Z report is shown" t_wait_for "Z REPORT  No. 1"
check_eq "the Z is signed at the TSE" "z|finished|Kassenabschluss^1" \
    "$(q "select kind || '|' || state || '|' || process_data from fiscal_tx where kind = 'z'")"

# every printed QR code parses and verifies; every signed receipt carries the fields
# cash, card, voucher, the return, the sales after the outage (the failed one has no QR)
check "six signed receipts printed" wait_qr 6
check "every QR code verifies with the TSE's public key" \
    sh -c "'$VIEW' --codes '$PRN' | sed -n 's/^QR //p' | '$VERIFY' | grep -vqx ok; test \$? -eq 1"
check_eq "as many QR codes as signed receipts" 6 "$(qr_count)"
for field in "TSE-Transaktion:" "TSE-Start:" "TSE-Stop:" "TSE-Seriennummer:" "TSE-Signaturzaehler:" \
             "TSE-Signatur:" "TSE-Zeitformat: unixTime" "TSE-Hashalgorithmus: ecdsa-plain-SHA384" \
             "TSE-PublicKey:"; do
    check_eq "'$field' on every signed receipt" 6 "$("$VIEW" "$PRN" | grep -c "^$field")"
done
check_eq "the till's serial on every receipt, the failed one's too" 7 "$("$VIEW" "$PRN" | grep -c "^Kassen-Seriennummer: KASSE-01")"
check "a changed amount no longer verifies" \
    sh -c "'$VIEW' --codes '$PRN' | sed -n 's/^QR //p' | head -n 1 | sed 's/\\^1.19:Bar/^1.20:Bar/' | '$VERIFY' | grep -qx 'bad: signature does not verify'"
check_eq "the TSE's counters increase from transaction to transaction" "" \
    "$(q "select a.id from fiscal_tx a join fiscal_tx b on b.id = a.id + 1 where a.sig_counter >= b.sig_counter and b.sig_counter is not null and a.sig_counter is not null")"

t_keys F10
t_wait_exit 5 || t_keys F10

# Killed between start and finish: the restored sale finishes, once.
t_tmux_start 100x40 "$TILL"
sign_on
t_wait_for "Float counted:" 10 > /dev/null
t_keys 100 Enter
t_wait_for "Shift 2 open" 5 > /dev/null
t_keys 4028710122696 Enter
t_wait_for "Basmati Rice 1kg" 5 > /dev/null
check "the sale's transaction is started" wait_q 1 "select count(*) from fiscal_tx where state = 'started'"
started=$(q "select tx_id from fiscal_tx where state = 'started'")
kill -9 "$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}')"
check "the till is killed" t_wait_exit 10
t_tmux_start 100x40 "$TILL"
sign_on
check "the open sale is restored" t_wait_for "Basmati Rice 1kg"
check_eq "its transaction is still open (it goes on)" started "$(q "select state from fiscal_tx where tx_id = '$started'")"
t_keys F5
t_wait_for "F6: card" 5 > /dev/null
t_keys 5 Enter
check "it completes" t_wait_for "CHANGE DUE"
check_eq "finished once" "finished|1" "$(q "select state || '|' || count(*) from fiscal_tx where tx_id = '$started'")"
next_customer

# Killed between start and finish, and the open sale lost: aborted, once.
t_keys 4028710122696 Enter
t_wait_for "Basmati Rice 1kg" 5 > /dev/null
wait_q 1 "select count(*) from fiscal_tx where state = 'started'" > /dev/null
lost=$(q "select tx_id from fiscal_tx where state = 'started'")
kill -9 "$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}')"
check "the till is killed" t_wait_exit 10
q "delete from open_payments; delete from open_lines; delete from open_sale"
counter_before=$(sqlite3 "$DB" "select max(sig_counter) from fiscal_tx")
t_tmux_start 100x40 "$TILL"
sign_on
check "the lost sale is not restored" t_wait_for "Empty sale"
check_eq "its transaction is aborted at the TSE" "aborted|AVBelegabbruch^0.00_0.00_0.00_0.00_0.00^" \
    "$(q "select state || '|' || process_data from fiscal_tx where tx_id = '$lost'")"
t_keys F10
t_wait_exit 5 > /dev/null
t_tmux_start 100x40 "$TILL"
sign_on
t_wait_for "Empty sale" 10 > /dev/null
check_eq "a second restart aborts nothing more" "aborted|1" "$(q "select state || '|' || count(*) from fiscal_tx where tx_id = '$lost'")"
check_eq "nothing is left open" 0 "$(q "select count(*) from fiscal_tx where state in ('new', 'started')")"
check "one signature for the abort" test "$(q "select sig_counter from fiscal_tx where tx_id = '$lost'")" -gt "$counter_before"
t_keys F10
t_wait_exit 5 > /dev/null
finish
