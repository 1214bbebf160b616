#!/bin/bash
# The Debian packages, end to end: build till and till-server (scripts/build-deb.sh, as
# `make deb` does, from a copy of the tree in the test's directory), lintian finds nothing
# (overrides are listed and justified in debian/*.lintian-overrides), then a throw-away root
# — an overlay of this machine's / in a private mount namespace, so dpkg, adduser and the
# maintainer scripts run for real and nothing reaches the host — where: both packages
# install, the server starts from its unit's ExecStart line as its own user, a till enrols
# with the server's token and sells while the server is down, both packages upgrade to a
# version with a new migration each, the queued sale reaches the server exactly once, and
# remove keeps the store's data while purge deletes it after saying so.
# Skipped where dpkg-buildpackage cannot run; the install part needs root (CI runs as root).

# The whole test runs in a mount namespace of its own: the throw-away root's mounts are
# seen by nothing else and vanish with the test's last process.
if [ -z "${TILL_DEB_NS:-}" ] && [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2> /dev/null; then
    TILL_DEB_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

for tool in dpkg-buildpackage dh fakeroot dpkg-parsechangelog; do
    if ! command -v "$tool" > /dev/null; then
        echo "SKIPPED: dpkg-buildpackage cannot run here: $tool is missing (make test installs debhelper, dpkg-dev, fakeroot)"
        echo "RESULT: 0 passed, 0 failed, 1 skipped"
        exit 0
    fi
done
t_tmpdir
export DEB_BUILD_OPTIONS="noautodbgsym ${DEB_BUILD_OPTIONS:-}"
V1=$(dpkg-parsechangelog -l "$TILL_ROOT/debian/changelog" -S Version)
V2=$V1+upgrade1
check_eq "debian/changelog's version is the Makefile's (what --version prints)" \
    "$(sed -n 's/^VERSION *:= *//p' "$TILL_ROOT/Makefile")" "$V1"

# --- build, once per version --------------------------------------------------------------
started=$SECONDS
sh "$TILL_ROOT/scripts/build-deb.sh" "$TILL_ROOT" "$T_DIR/v1" > "$T_DIR/build1.log" 2>&1
check "make deb's build of $V1 succeeds" test "$?" = 0 || tail -n 30 "$T_DIR/build1.log"
echo "built $V1 in $((SECONDS - started)) s"
for p in till till-server; do
    check "$p ${V1} built" test -s "$T_DIR/v1/${p}_${V1}_$(dpkg --print-architecture).deb"
done

# Version 2: the same tree with a newer changelog entry and a new migration for the till
# (assets/migrations) and for the server (server/sql_sqlite.c, its SQLite schema); built in a copy of version
# 1's tree without the pre-build clean, so only what changed compiles again.
(
    set -e
    cp -a "$T_DIR/v1/till-$V1" "$T_DIR/v2-tree"
    mkdir -p "$T_DIR/v2" && mv "$T_DIR/v2-tree" "$T_DIR/v2/till-$V2"
    cd "$T_DIR/v2/till-$V2"
    rm -rf debian && cp -a "$TILL_ROOT/debian" debian
    { printf 'till (%s) unstable; urgency=medium\n\n  * Test upgrade: a new migration for the till and the server.\n\n' "$V2"
      printf ' -- Till tests <tests@users.noreply.r-seed-f290027c.example>  %s\n\n' "$(date -R)"
      cat "$TILL_ROOT/debian/changelog"; } > debian/changelog.new && mv debian/changelog.new debian/changelog
    last=$(ls assets/migrations | sed -n 's/^\([0-9]*\)_.*/\1/p' | sort -n | tail -n 1)
    next=$(printf '%03d' $((10#$last + 1)))
    echo "CREATE TABLE deb_upgrade_probe(id INTEGER PRIMARY KEY);" > "assets/migrations/${next}_deb_upgrade_probe.sql"
    awk '!done && /^};/ { print "    \"CREATE TABLE deb_upgrade_probe(id INTEGER PRIMARY KEY);\","; done = 1 } { print }' \
        server/sql_sqlite.c > server/sql_sqlite.c.new && mv server/sql_sqlite.c.new server/sql_sqlite.c
    grep -q deb_upgrade_probe server/sql_sqlite.c
    dpkg-buildpackage -us -uc -b -nc -j"${DEB_BUILD_JOBS:-2}"
) > "$T_DIR/build2.log" 2>&1 &
build2=$!

# lintian on version 1 meanwhile: no error, no warning; every tag shown, overridden ones
# too (debian/*.lintian-overrides says why each is there)
if command -v lintian > /dev/null; then
    lintian --pedantic --display-info --show-overrides --tag-display-limit 0 \
        "$T_DIR/v1"/till_"${V1}"_*.changes > "$T_DIR/lintian.out" 2>&1
    check_eq "lintian ran to the end (exit 0: nothing at error level)" 0 "$?" || tail -n 5 "$T_DIR/lintian.out"
    grep -E '^[EWIPXO]: ' "$T_DIR/lintian.out" | sed 's/^/lintian: /'
    check "lintian: no errors" bash -c "! grep -q '^E: ' '$T_DIR/lintian.out'"
    check "lintian: no warnings" bash -c "! grep -q '^W: ' '$T_DIR/lintian.out'"
else
    fail "lintian is missing (make test installs it)"
fi
wait "$build2"
check "version $V2 (new migrations) built" test "$?" = 0 || tail -n 30 "$T_DIR/build2.log"
echo "built $V2 and ran lintian by $((SECONDS - started)) s"
ARCH=$(dpkg --print-architecture)
declare -A DEB
for v in v1:$V1 v2:$V2; do
    for p in till till-server; do
        DEB[${v%%:*}$p]=$T_DIR/${v%%:*}/${p}_${v#*:}_$ARCH.deb
    done
done

# --- the throw-away root ------------------------------------------------------------------
# An overlay of / (this machine's packages, dpkg database and users, copy-on-write) on a
# tmpfs of the test's own, with a fresh /proc, an empty /run (no init: no service is
# started by the maintainer scripts) and device nodes of its own.  Nothing is bind-mounted
# from the host, so even a stray rm -rf into it changes only the overlay.
R=$T_DIR/root
root_ok() {
    [ -n "${TILL_DEB_NS:-}" ] || return 1
    mkdir -p "$T_DIR/layer" "$R" &&
    mount -t tmpfs -o mode=0755 till-deb-layer "$T_DIR/layer" &&
    mkdir -p "$T_DIR/layer/upper" "$T_DIR/layer/work" &&
    mount -t overlay till-deb-root -o "lowerdir=/,upperdir=$T_DIR/layer/upper,workdir=$T_DIR/layer/work" "$R" &&
    mount -t proc proc "$R/proc" &&
    mount -t tmpfs -o mode=0755 till-deb-run "$R/run" &&
    mount -t tmpfs -o mode=1777 till-deb-tmp "$R/tmp" &&
    mount -t tmpfs -o mode=0755 till-deb-dev "$R/dev" &&
    mknod -m 666 "$R/dev/null" c 1 3 && mknod -m 666 "$R/dev/zero" c 1 5 &&
    mknod -m 666 "$R/dev/random" c 1 8 && mknod -m 666 "$R/dev/urandom" c 1 9 &&
    mknod -m 666 "$R/dev/tty" c 5 0
}
if ! root_ok 2> "$T_DIR/root.err"; then
    [ "$(id -u)" = 0 ] || echo "not root" >> "$T_DIR/root.err"
    echo "SKIPPED: installing the packages needs root and a private mount namespace with overlayfs (unshare -m, mount -t overlay): $(head -n 1 "$T_DIR/root.err")"
    echo "RESULT: $T_PASSED passed, $T_FAILED failed, 1 skipped"
    [ "$T_FAILED" -eq 0 ]
    exit
fi
unmount_root() { umount -R "$R" 2> /dev/null; umount "$T_DIR/layer" 2> /dev/null; }
trap 'unmount_root; t_cleanup' EXIT
in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
# no service starts inside (there is no init anyway), and no man-db index rebuild
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d" && chmod 755 "$R/usr/sbin/policy-rc.d"
rm -f "$R/var/lib/man-db/auto-update"
mkdir -p "$R/root/debs" && cp "${DEB[@]}" "$R/root/debs/"
in_root dpkg --purge till till-server > /dev/null 2>&1   # a root taken from a box that has them

# --- install version 1 -----------------------------------------------------------------------
in_root dpkg -i "/root/debs/till_${V1}_$ARCH.deb" "/root/debs/till-server_${V1}_$ARCH.deb" > "$T_DIR/install1.log" 2>&1
check "dpkg -i till and till-server $V1" test "$?" = 0 || cat "$T_DIR/install1.log"
check_eq "both installed" "ii $V1 ii $V1" "$(in_root dpkg-query -W -f='${db:Status-Abbrev}${Version} ' till till-server | sed 's/ *$//; s/  */ /g')"
check "the system user till-server" in_root sh -c 'getent passwd till-server > /dev/null' 
check_eq "its data directory: its own, owner-only" "till-server till-server 700" "$(in_root stat -c '%U %G %a' /var/lib/till-server)"
UNIT=$R/lib/systemd/system/till-server.service
check "till-server's unit installed" test -s "$UNIT"
check "and enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/till-server.service"
check "the kiosk unit installed with the packaged path" grep -qx 'ExecStart=/usr/bin/till --kiosk --config /etc/till/till.conf' "$R/lib/systemd/system/till-kiosk.service"
check "and not enabled (not every till is a kiosk)" test ! -e "$R/etc/systemd/system/multi-user.target.wants/till-kiosk.service"
check "udev rules, man pages, translations, example config" test -s "$R/lib/udev/rules.d/60-till-scanner.rules" -a \
    -s "$R/usr/share/man/man1/till.1.gz" -a -s "$R/usr/share/man/man1/till-server.1.gz" -a \
    -s "$R/usr/share/locale/de/LC_MESSAGES/till.mo" -a -s "$R/usr/share/doc/till/examples/till.conf.example"

# --- the store server, as its unit runs it ------------------------------------------------
PORT=$(free_port)
sed -i "s/--port 8417/--port $PORT/" "$R/etc/default/till-server"    # an administrator's edit
as_server() { chroot --userspec=till-server:till-server "$R" env -i PATH=/usr/bin:/bin HOME=/var/lib/till-server "$@"; }
SDB=$R/var/lib/till-server/store.db
as_server till-server --db /var/lib/till-server/store.db import /usr/share/till/demo-catalog.csv > "$T_DIR/import.log" 2>&1
check "the administrator imports the catalog as till-server" test "$?" = 0 || cat "$T_DIR/import.log"
mkdir -p "$R/etc/till" "$R/var/lib/till"
(umask 077 && as_server till-server --db /var/lib/till-server/store.db token create T1 > "$R/etc/till/token")
check "and makes the till's token" test -s "$R/etc/till/token"
# ExecStart as systemd runs it: the unit's user and umask, the EnvironmentFile's variables
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
umask_unit=$(sed -n 's/^UMask=//p' "$UNIT")
check_eq "the unit runs as till-server" "till-server" "$(sed -n 's/^User=//p' "$UNIT")"
server_up() {
    : > "$T_DIR/server.out"
    chroot --userspec=till-server:till-server "$R" env -i PATH=/usr/bin:/bin \
        sh -c "umask $umask_unit; set -a; . /etc/default/till-server; set +a; exec $exec_start" \
        > "$T_DIR/server.out" 2>> "$T_DIR/server.log" &
    SERVER_PID=$!
    T_PIDS="$T_PIDS $SERVER_PID"
    for _ in $(seq 200); do
        grep -q listening "$T_DIR/server.out" && return 0
        kill -0 "$SERVER_PID" 2> /dev/null || break
        sleep 0.05
    done
    cat "$T_DIR/server.log"
    return 1
}
check "till-server starts from its unit's ExecStart line" server_up
check "listening where /etc/default/till-server says" grep -q "$PORT" "$T_DIR/server.out"
check_eq "its database owner-only, its user's" "till-server 600" "$(in_root stat -c '%U %a' /var/lib/till-server/store.db)"

# --- enrol a till: the example config, the server's URL and token ------------------------
# (as README's "Installing on a store's boxes" says: [paths] and [sync] filled in)
sed -e 's|^#database = .*|database = /var/lib/till/till.db|; s|^#spool = .*|spool = /var/lib/till/spool|' \
    -e "s|^# url = https://store.example.com|url = http://127.0.0.1:$PORT|; s|^# token_file = /etc/till/token|token_file = /etc/till/token|" \
    "$R/usr/share/doc/till/examples/till.conf.example" > "$R/etc/till/till.conf"
check_eq "the example configuration filled in" 4 "$(grep -cE '^(database|spool|url|token_file) = ' "$R/etc/till/till.conf")"
TILL="/usr/bin/till --config /etc/till/till.conf"
DB=$R/var/lib/till/till.db
in_root $TILL --sync-now > "$T_DIR/enrol.log" 2>&1
check "the till enrols: one sync round with the server" test "$?" = 0 || cat "$T_DIR/enrol.log"
check "the catalog came down from the server" test "$(sqlite3 "$DB.catalog" "select count(*) from products" 2> /dev/null)" -gt 100
till_v1=$(sqlite3 "$DB" "pragma user_version")
server_v1=$(sqlite3 "$SDB" "pragma user_version")
server_stop

# --- sell while the server is down ---------------------------------------------------------
t_tmux_start 100x30 "chroot $R env -i PATH=/usr/bin:/bin HOME=/root TERM=\$TERM LANG=C.UTF-8 $TILL"
check "the installed till opens, OFFLINE" t_wait_for "OFFLINE" 20
check "sells one item" sell_one
check "the sale is queued" t_wait_for "Queued sales: 1" 10
t_keys F10
check "the till quits" t_wait_exit 10
check_eq "one order in the outbox" 1 "$(sqlite3 "$DB" "select count(*) from outbox where kind = 'order' and state = 'pending'")"
key=$(sqlite3 "$DB" "select idempotency_key from outbox where kind = 'order'")

# --- upgrade both ---------------------------------------------------------------------------
in_root dpkg -i --force-confold "/root/debs/till_${V2}_$ARCH.deb" "/root/debs/till-server_${V2}_$ARCH.deb" > "$T_DIR/install2.log" 2>&1
check "dpkg -i upgrades both to $V2" test "$?" = 0 || cat "$T_DIR/install2.log"
check_eq "both at $V2" "ii $V2 ii $V2" "$(in_root dpkg-query -W -f='${db:Status-Abbrev}${Version} ' till till-server | sed 's/ *$//; s/  */ /g')"
check "the administrator's /etc/default/till-server kept" grep -q -- "--port $PORT" "$R/etc/default/till-server"
check_eq "the data directory as it was" "till-server till-server 700" "$(in_root stat -c '%U %G %a' /var/lib/till-server)"
check "the server starts on the upgraded package" server_up
check_eq "its migration ran at start" "$((server_v1 + 1))" "$(sqlite3 "$SDB" "pragma user_version")"
check_eq "no order on the server yet" 0 "$(sqlite3 "$SDB" "select count(*) from orders")"
in_root $TILL --sync-now > "$T_DIR/sync2.log" 2>&1
check "the upgraded till syncs" test "$?" = 0 || cat "$T_DIR/sync2.log"
check_eq "its migration ran at start" "$((till_v1 + 1))" "$(sqlite3 "$DB" "pragma user_version")"
check_eq "the sale is still in the till's database" 1 "$(sqlite3 "$DB" "select count(*) from sales")"
check_eq "the queue drained" 0 "$(sqlite3 "$DB" "select count(*) from outbox where kind = 'order' and state != 'sent'")"
in_root $TILL --sync-now > "$T_DIR/sync3.log" 2>&1
check_eq "the queued sale reached the server exactly once" "1 $key" "$(sqlite3 "$SDB" "select count(*), max(idempotency_key) from orders" | tr '|' ' ')"
server_stop

# --- remove keeps the data, purge deletes it after saying so ------------------------------
in_root dpkg -r till till-server > "$T_DIR/remove.log" 2>&1
check "dpkg -r (apt remove) both" test "$?" = 0 || cat "$T_DIR/remove.log"
check "the programs are gone" test ! -e "$R/usr/bin/till" -a ! -e "$R/usr/bin/till-server"
check "the store's database kept" test -s "$SDB"
check_eq "with its order" 1 "$(sqlite3 "$SDB" "select count(*) from orders")"
check "the configuration kept" test -s "$R/etc/default/till-server"
in_root dpkg -P till till-server > "$T_DIR/purge.log" 2>&1
check "dpkg -P (apt purge) both" test "$?" = 0 || cat "$T_DIR/purge.log"
check "purge says what it deletes" grep -q "deleting /var/lib/till-server" "$T_DIR/purge.log"
check "and deletes it" test ! -e "$R/var/lib/till-server"
check "and the configuration" test ! -e "$R/etc/default/till-server"
check "and the unit's enablement" test ! -e "$R/etc/systemd/system/multi-user.target.wants/till-server.service"
echo "installed, upgraded, removed and purged by $((SECONDS - started)) s"
check_eq "nothing of either package is left" "" "$(in_root dpkg-query -W -f='${db:Status-Abbrev}' till till-server 2> /dev/null)"
check "the till's own data is the administrator's (untouched)" test -s "$DB"
finish
