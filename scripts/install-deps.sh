#!/bin/sh
# Installs the Debian packages Till needs to build, run and test, only when something is missing.
# Run as root it installs with apt-get; otherwise it prints the exact command and fails.
set -e
PKGS=$(sed 's/#.*//' "$(dirname "$0")/packages.list" | tr -s ' \n' ' ')
missing=""
for mod in ncursesw sqlite3 libcurl libcjson libusb-1.0 libsodium libmicrohttpd cmocka umockdev-1.0 libzstd; do
    pkg-config --exists "$mod" 2>/dev/null || missing="$missing $mod"
done
for tool in cc make pkg-config sqlite3 tmux clang umockdev-wrapper msgfmt xgettext msgcmp msgmerge msggrep msgexec \
        dpkg-buildpackage dh fakeroot lintian dch; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -z "$missing" ] && exit 0
echo "till: missing:$missing" >&2
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS"
if [ "$(id -u)" != 0 ]; then
    echo "till: run as root:  sudo sh -c '$cmd'" >&2
    exit 1
fi
sh -c "$cmd" >&2
