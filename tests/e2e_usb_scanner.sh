#!/bin/bash
# End to end: the real till reads a USB scanner (emulated by umockdev through the real
# libusb): a scan lands in the open sale, and in a dialog it is handled as a scan; the
# scanner is unplugged (status bar says so, the sale is kept) and plugged back in (scans
# resume without restarting Till).
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
EMU=$TILL_ROOT/build/asan/tests/test_scanner_usb
FIFO=$T_DIR/scanner
mkfifo "$FIFO"
usb() { echo "$*" > "$FIFO"; }

t_tmux_start 120x30 "$EMU --emulate $FIFO -- $TILL_BIN --set scanner.kind=usb \
    --set scanner.usb.vid_pid=05e0:1200 --set scanner.usb.retry_ms=200"
check "till starts" t_wait_for "Empty sale"
check "and finds the USB scanner" t_wait_for "scanner connected"

usb scan 4010433218190
check "a USB scan lands in the open sale" t_wait_for "Whole Milk 1L"
check "nothing was typed on the input line" sh -c "! tmux -L $T_TMUX capture-pane -p -t t | grep -q '4010433218190'"

t_keys F4
check "search open" t_wait_for "Search"
usb scan 4028710122696
check "a USB scan in the search dialog adds the item" t_wait_for "Basmati Rice 1kg"

usb unplug
check "unplugging shows in the status bar" t_wait_for "scanner disconnected: unplugged"
check "the open sale is kept" t_wait_for "TOTAL 4,18 €"

usb plug
check "plugging back in reconnects" t_wait_for "scanner connected"
usb scan 4060013389086
check "scans resume without a restart" t_wait_for "Semi-Skimmed Milk 1L"
check "in the same sale" t_wait_for "TOTAL 5,27 €"
check_eq "no sale stored yet (nothing was paid)" 0 "$(sqlite3 "$DB" 'select count(*) from sales')"
finish
