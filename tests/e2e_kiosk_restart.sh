#!/bin/bash
# End to end: a crash of the kiosk is not a way out of it, and loses no sale.  The kiosk
# runs in tmux under the restart that assets/till-kiosk.service asks systemd for (its
# Restart= and RestartSec=, read from the unit; stderr to a file, as the unit sends it to
# the journal), since there is no systemd here.  The till is killed (SIGSEGV, SIGKILL) in
# the middle of a sale, while an item waits for the age check, and on the welcome screen;
# each time the kiosk comes back into the customer flow with no shell ever on screen, and
# the open sale is restored (and can be paid) or, when its customer has gone, cancelled
# and recorded by the idle timer; never lost.  systemd-analyze checks the unit when present.
. "$(dirname "$0")/lib.sh"
t_tmpdir
UNIT=$TILL_ROOT/assets/till-kiosk.service
PIN=4711
MILK=4010433218190 RICE=4028710122696 CIGARETTES=4000978820811

RESTART=$(sed -n 's/^Restart=//p' "$UNIT")
RESTART_SEC=$(sed -n 's/^RestartSec=//p' "$UNIT")
case "$RESTART" in
always|on-failure|on-abnormal|on-abort) pass "the unit restarts a crashed till (Restart=$RESTART)" ;;
*) fail "the unit does not restart a crashed till (Restart=$RESTART)" ;;
esac
check "  after a short pause (RestartSec=$RESTART_SEC)" test -n "$RESTART_SEC"
if command -v systemd-analyze > /dev/null 2>&1; then
    # the unit as installed, with the program where this tree has it
    mkdir -p "$T_DIR/unit"
    sed "s|^ExecStart=/usr/local/bin/till|ExecStart=$TILL_BIN|" "$UNIT" > "$T_DIR/unit/till-kiosk.service"
    out=$(systemd-analyze verify "$T_DIR/unit/till-kiosk.service" 2>&1)
    check_eq "systemd-analyze verify finds nothing wrong with the unit" "" "$out"
else
    echo "(systemd-analyze not here: the unit's syntax is not checked)"
fi

# service_start NAME ARGS...: the kiosk under the unit's restart policy
service_start() {
    name=$1; shift
    export XDG_DATA_HOME=$T_DIR/$name
    DB=$XDG_DATA_HOME/till/till.db
    EXITS=$T_DIR/$name.exits
    JOURNAL=$T_DIR/$name.journal
    cat > "$T_DIR/$name.sh" <<EOS
ulimit -c 0
while :; do
    "$TILL_BIN" --kiosk --set kiosk.attendant_pin=$PIN --set kiosk.lane=lane-9 $*
    rc=\$?
    echo \$rc >> "$EXITS"
    case $RESTART in
    always) ;;
    *) [ \$rc -eq 0 ] && exit 0 ;;   # on-failure and its kin: a clean exit stays down
    esac
    sleep $RESTART_SEC
done
EOS
    t_tmux_start 80x24 "exec bash $T_DIR/$name.sh 2>>$JOURNAL"
    t_wait_for " lane-9 " 10 >/dev/null
}
q() { sqlite3 "$DB" "$1"; }
# the till under the loop (its child): killed by pid, never by name
till_pid() {
    loop=$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_pid}')
    pgrep -P "$loop" -x till
}
# crash SIGNAL TEXT: kills the till, then waits (30 s) for TEXT from the new one, looking
# at every screen on the way: never a shell prompt or a shell's message
crash() {
    old=$(till_pid)
    [ -n "$old" ] || { echo "--- no till to kill"; return 1; }
    kill -"$1" "$old"
    n=600 shell_seen=""
    while [ "$n" -gt 0 ]; do
        s=$(t_screen)
        if grep -qE '[$#]$|Segmentation|Killed|bash|^sh' <<<"$s"; then shell_seen=$s; fi
        new=$(till_pid)
        if [ -n "$new" ] && [ "$new" != "$old" ] && grep -qF -- "$2" <<<"$s"; then break; fi
        sleep 0.05; n=$((n - 1))
    done
    [ -n "$shell_seen" ] && { echo "--- a shell showed:"; echo "$shell_seen"; return 1; }
    [ "$n" -gt 0 ] || { echo "--- not back with '$2':"; t_screen; return 1; }
}

# --- a crash mid-sale: the sale comes back and is paid, as the same sale ---
service_start sale
t_keys $MILK Enter
t_wait_for "Added: Whole Milk 1L" >/dev/null
t_keys $RICE Enter
check "two items scanned" t_wait_for "TOTAL 4,18 €"
uuid=$(q "select uuid from open_sale")
check "a SIGSEGV mid-sale: the kiosk is back, no shell on screen on the way" crash SEGV "Your shopping is still here"
check "  with the customer's items" t_wait_for "TOTAL 4,18 €"
check "  on the scan screen, saying what to do next" t_wait_for "Scan your next item, or press 1 when you are done."
check_eq "the till died of the signal and was started again" "139" "$(cat "$EXITS")"
check_eq "the restart is recorded with the sale" 1 "$(q "select count(*) from audit_log where event = 'sale_restored' and detail like '$uuid lines 2%'")"
check_eq "  and the kiosk's resuming it" 1 "$(q "select count(*) from audit_log where event = 'kiosk_sale_resumed' and detail like '$uuid%'")"
check "its stderr went to the journal, not the screen" test -f "$JOURNAL"
t_keys 1
check "the restored sale goes to the review" t_wait_for "TO PAY 4,18 €"
t_keys 1
check "and is paid" t_wait_for "PAYMENT APPROVED" 20
check_eq "saved once, as the sale that was open, with both lines" "1|$uuid|418|2" \
    "$(q "select count(*), uuid, total, (select count(*) from sale_lines) from sales")"
check_eq "nothing left open" 0 "$(q 'select count(*) from open_sale')"
t_keys 1
t_wait_for "Thank you for shopping with us" >/dev/null
check "SIGKILL on the welcome screen: back to welcome" crash KILL "Scan your first item to start"
check_eq "  with no sale open" 0 "$(q 'select count(*) from open_sale')"
t_keys 0
t_wait_for "Attendant: " >/dev/null
t_type_slowly $PIN; t_keys Enter
t_wait_for "exit kiosk mode" >/dev/null
t_keys 6
check "the attendant's exit (status 0) is not restarted" t_wait_exit 15
check_eq "exits: the crash, the kill, the attendant" "139 137 0" "$(tr '\n' ' ' < "$EXITS" | sed 's/ $//')"

# --- a crash is no way around the age check; a customer who left is cancelled, recorded ---
service_start age --set kiosk.idle_warning_s=4 --set kiosk.idle_countdown_s=2
t_keys $MILK Enter
t_wait_for "Added: Whole Milk 1L" >/dev/null
t_keys $CIGARETTES Enter
check "an age-restricted item stops the flow" t_wait_for "PLEASE WAIT FOR STAFF"
check "killed while it waits: back, still waiting for the age check" crash KILL "Cigarettes 20 needs an age check."
check "  staff called again" t_wait_for "HELP IS ON THE WAY"
t_keys 1
sleep 0.2   # a key, then a scan: apart, as a person does
t_keys $RICE Enter
check "  and nothing else is taken meanwhile" t_wait_for "Please wait for staff before scanning more."
t_keys 0
t_wait_for "Attendant: " >/dev/null
t_type_slowly $PIN; t_keys Enter
t_wait_for "cancel the sale" >/dev/null
t_keys 3
t_wait_for "Sale cancelled" >/dev/null
t_keys 0
t_wait_for "Scan your first item to start" >/dev/null
t_keys $RICE Enter
t_wait_for "Added: Basmati Rice 1kg" >/dev/null
uuid=$(q "select uuid from open_sale")
check "killed mid-sale, then nobody comes back: the sale is restored" crash KILL "Your items"
check "  the countdown runs out" t_wait_for "Scan your first item to start" 20
check_eq "  the sale is cancelled and recorded with its items" 1 \
    "$(q "select count(*) from audit_log where event = 'kiosk_idle_cancel' and detail like '$uuid total 299 lines SKU%'")"
check_eq "  not sold, not left open" "0|0" "$(q 'select count(*) from sales')|$(q 'select count(*) from open_sale')"
finish
