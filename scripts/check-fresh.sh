#!/bin/bash
# `make check-fresh`: the README's `make test` on a really fresh Debian 12, as a store's admin
# meets it.  A minimal Debian 12 (debootstrap --variant=minbase bookworm) in a chroot under
# /var/tmp, with only git, make and ca-certificates added; this tree's current commit
# (HEAD: commit first) cloned into /root/till inside it; `make test` run there as root with
# an empty environment (no LANG, no LC_*: only HOME, PATH and TERM).  It passes only when
# the suite ends "N passed, 0 failed" with no test skipped.  It mounts proc, sys, dev and
# dev/pts into the chroot and, whatever happens, kills what still runs there, unmounts and
# removes the chroot (TILL_FRESH_KEEP=1 keeps it, for a look inside).  Needs root and
# Debian's mirror (TILL_FRESH_MIRROR, default the one apt uses here).  Slow (tens of
# minutes: the whole install, build and suite), so not part of `make test`.
# The log: build/check-fresh.log; the suite's logs: build/check-fresh-logs/.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
[ "$(id -u)" = 0 ] || { echo "check-fresh: needs root (debootstrap, chroot, mount)"; exit 1; }
command -v debootstrap > /dev/null || { echo "check-fresh: needs debootstrap (scripts/install-deps.sh installs it)"; exit 1; }
commit=$(git rev-parse HEAD) || exit 1
mirror=${TILL_FRESH_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p build
log=$top/build/check-fresh.log
: > "$log"
root=$(mktemp -d /var/tmp/till-fresh.XXXXXX) || exit 1
chmod 755 "$root"
say() { echo "check-fresh: $*" | tee -a "$log"; }

mounted() { awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts | sort -r; }
cleanup() {
    # the suite's logs, for a look afterwards
    if [ -d "$root/root/till/build/test-logs" ]; then
        rm -rf "$top/build/check-fresh-logs"
        cp -r "$root/root/till/build/test-logs" "$top/build/check-fresh-logs" 2> /dev/null
    fi
    # whatever the suite left running in the chroot (servers, tmux), then the mounts, then
    # the files; nothing is removed while anything is still mounted there
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
    sleep 1
    for m in $(mounted); do umount "$m" 2>/dev/null || umount -l "$m"; done
    if [ -n "$(mounted)" ]; then
        echo "check-fresh: still mounted under $root, not removed:"; mounted
    elif [ "${TILL_FRESH_KEEP:-}" = 1 ]; then
        echo "check-fresh: kept $root"
    else
        rm -rf --one-file-system "$root"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
in_root() { chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

say "debootstrap --variant=minbase bookworm $root $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >> "$log" 2>&1 || { say "debootstrap failed (see $log)"; exit 1; }
# the sources of a Debian 12 installation: updates and security too
sec=${mirror%/debian}/debian-security
case $mirror in */debian) ;; *) sec=http://deb.debian.org/debian-security ;; esac
cat > "$root/etc/apt/sources.list" << EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $sec bookworm-security main
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null
# the site's own certificate authorities, as every machine on this network has them (a
# network that inspects TLS needs them for https, e.g. the npm registry); public certificates
# only, trusted once ca-certificates is installed below
if ls /usr/local/share/ca-certificates/*.crt > /dev/null 2>&1; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
# the chroot's / a mount point of its own, as a real system's is: a private mount namespace
# (unshare --propagation private, as tests/e2e_deb.sh makes for its throw-away root) needs it
mount --bind "$root" "$root" &&
    mount -t proc proc "$root/proc" && mount -t sysfs sys "$root/sys" &&
    mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" &&
    mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm" || { say "mounting failed"; exit 1; }

say "adding git, make, ca-certificates"
in_root sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git make ca-certificates' \
    >> "$log" 2>&1 || { say "apt-get failed (see $log)"; exit 1; }
before=$(in_root dpkg-query -W -f '${Status}\n' | grep -c ' installed$')

say "cloning $commit into /root/till"
git bundle create "$root/tmp/till.bundle" HEAD >> "$log" 2>&1 &&
    in_root git clone -q /tmp/till.bundle /root/till >> "$log" 2>&1 &&
    in_root git -C /root/till checkout -q "$commit" >> "$log" 2>&1 || { say "the clone failed (see $log)"; exit 1; }
rm -f "$root/tmp/till.bundle"
in_root env | grep -E '^(LANG|LC_|LANGUAGE)' && { say "a locale is set in the chroot"; exit 1; }

say "make test in /root/till (no LANG set), log: $log"
t0=$(date +%s)
in_root sh -c 'cd /root/till && make test' >> "$log" 2>&1
rc=$?
t1=$(date +%s)
after=$(in_root dpkg-query -W -f '${Status}\n' | grep -c ' installed$')
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
skipped=$(grep -E '^[0-9]+ skipped' "$log" | tail -n 1)
say "packages: $before after debootstrap + git, make, ca-certificates; $after after make test ($((after - before)) installed by it)"
say "make test: $((t1 - t0)) s (exit $rc); everything: $(( $(date +%s) - start )) s"
say "summary: ${summary:-none}${skipped:+ ($skipped)}"
if [ $rc -eq 0 ] && [[ $summary =~ ^[0-9]+\ passed,\ 0\ failed$ ]] && [ -z "$skipped" ]; then
    say "PASSED"
    exit 0
fi
grep -E '^(-- .*(failed|SKIPPED)|failed:)' "$log" | tail -n 40
say "FAILED (see $log)"
exit 1
