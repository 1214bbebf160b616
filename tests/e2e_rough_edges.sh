#!/bin/bash
# End to end: the rough edges a new user met in a whole store day (issue 22), one section
# per numbered point, each driven with the keys the issue gives.
. "$(dirname "$0")/lib.sh"
t_tmpdir
PIN=4711

# --- 1. the kiosk's on-screen receipt shows every figure whole (English and German) ---
kiosk_sale() { # name [language key]
    export XDG_DATA_HOME=$T_DIR/$1
    t_tmux_start 80x24 "$TILL_BIN --kiosk --set kiosk.attendant_pin=$PIN"
    t_wait_for "Scan your first item to start" 10 >/dev/null
    [ -n "${2:-}" ] && { t_keys "$2"; t_wait_for "W I L L K O M M E N" 5 >/dev/null; }
    t_keys 4010433218190 Enter
    t_wait_for "Whole Milk 1L" 10 >/dev/null
    t_keys 4028710122696 Enter
    t_wait_for "4,18 €" 10 >/dev/null
    t_keys 1
    t_wait_for "4,18 €" 10 >/dev/null
    t_keys 1
}
kiosk_sale en
check "kiosk: paid" t_wait_for "PAYMENT APPROVED" 15
check "kiosk receipt: TOTAL 4,18 €" sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -q 'TOTAL  *4,18 €'"
check "kiosk receipt: the card line's amount whole" \
    sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -Eq 'Card \*+4444  +4,18\$'"
check "kiosk receipt: the tax amount whole" \
    sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -Eq 'net 3,91  +0,27\$'"
kiosk_sale de 4
check "Kiosk (Deutsch): bezahlt" t_wait_for "Sie haben 4,18 € bezahlt." 15
check "Kiosk (Deutsch): the total whole" \
    sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -q 'TOTAL  *4,18 €'"
check "Kiosk (Deutsch): the card and tax amounts whole" \
    sh -c "tmux -L $T_TMUX capture-pane -p -t t | grep -Eq 'Card \*+4444  +4,18\$' &&
           tmux -L $T_TMUX capture-pane -p -t t | grep -Eq 'net 3,91  +0,27\$'"

finish
