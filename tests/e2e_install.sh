#!/bin/bash
# `make install DESTDIR=... PREFIX=/usr` as a Debian package build runs it: the programs,
# both man pages (which render and document every flag and setting), the example config
# and the udev rule land where Debian expects them; --version answers.
. "$(dirname "$0")/lib.sh"
t_tmpdir
D=$T_DIR/root
cd "$TILL_ROOT" || exit 1
# UDEVDIR fixed, so the test does not depend on whether udev's pkg-config file is there
make --no-print-directory install DESTDIR="$D" PREFIX=/usr UDEVDIR=/lib/udev > "$T_DIR/install.log" 2>&1
check_eq "make install succeeds" 0 "$?" || cat "$T_DIR/install.log"
check "no apt in make install" bash -c "! grep -q apt-get '$T_DIR/install.log'"

for f in usr/bin/till usr/bin/till-server; do
    check "$f installed, executable" test -x "$D/$f"
done
for f in usr/share/man/man1/till.1 usr/share/man/man1/till-server.1 \
         usr/share/doc/till/examples/till.conf.example lib/udev/rules.d/60-till-scanner.rules \
         usr/share/till/store-api.yaml usr/share/till/demo-catalog.csv; do
    check "$f installed" test -s "$D/$f"
done
check "the kiosk's German catalog installed" test -s "$D/usr/share/locale/de/LC_MESSAGES/till.mo"
out=$(XDG_DATA_HOME=$T_DIR/data "$D/usr/bin/till" --kiosk --set kiosk.attendant_pin=4711 --check-config 2>&1 </dev/null)
check "the installed till finds it (../share/locale beside the program)" grep -q "configuration ok" <<<"$out" || echo "$out"
check "nothing under /usr/local" test ! -e "$D/usr/local"
check_eq "till --version" "till 0.1.0" "$("$D/usr/bin/till" --version)"
check_eq "till-server --version" "till-server 0.1.0" "$("$D/usr/bin/till-server" --version)"

# Render the pages with what is there: man -l, else groff, else mandoc; each must be
# free of roff warnings.  Without any of them, check the roff text only.
render() { # render PAGE -> plain text on stdout, warnings on stderr
    if command -v groff > /dev/null; then groff -man -Tutf8 -ww "$1" | col -b 2>/dev/null || groff -man -Tascii -ww "$1"
    elif command -v mandoc > /dev/null; then mandoc -Tlint -W warning "$1" >&2; mandoc -Tascii "$1" | col -b
    elif command -v man > /dev/null; then MANWIDTH=100 man -l "$1"
    else sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$1"; fi
}
for page in till till-server; do
    p=$D/usr/share/man/man1/$page.1
    check "$page.1 starts with .TH" grep -q "^\.TH ${page^^} 1" "$p"
    render "$p" > "$T_DIR/$page.txt" 2> "$T_DIR/$page.warn"
    check "$page.1 renders without warnings" test ! -s "$T_DIR/$page.warn" || cat "$T_DIR/$page.warn"
    check "$page.1 renders to text" grep -q "SYNOPSIS" "$T_DIR/$page.txt"
    if command -v man > /dev/null; then
        check "man -l $page.1 works" bash -c "MANWIDTH=100 man -l '$p' > /dev/null 2>&1"
    fi
done

# Every flag of till and every setting from --help is in till(1).
missing=""
for flag in $("$D/usr/bin/till" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    grep -qF -- "$flag" "$T_DIR/till.txt" || missing="$missing $flag"
done
for key in $("$D/usr/bin/till" --help | sed -n 's/^  \([a-z][a-zA-Z_.]*\) = .*/\1/p'); do
    grep -qF -- "$key" "$T_DIR/till.txt" || missing="$missing $key"
done
check_eq "till(1) has every flag and setting of --help" "" "$missing"
check "till(1) has the settings" grep -q "payment.NAME.host" "$T_DIR/till.txt"
missing=""
for item in $("$D/usr/bin/till-server" --help | grep -oE -- '--[a-z][a-z-]+|^  [a-z]+' | sort -u); do
    grep -qF -- "$item" "$T_DIR/till-server.txt" || missing="$missing $item"
done
check_eq "till-server(1) has every flag and command of --help" "" "$missing"
finish
