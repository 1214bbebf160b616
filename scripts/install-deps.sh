#!/bin/sh
# Installs the Debian packages Till needs to build, run and test (scripts/packages.list, all
# of them by name) when anything is missing.  It checks what is used, not a stand-in for it:
#   - every command the tests, scripts and Makefile run (scripts/check-deps.sh --commands),
#     with command -v;
#   - every library, by compiling, linking and running a tiny program against all of them
#     (the same pkg-config names as the Makefile, and umockdev's preload);
#   - the sanitizers (cc -fsanitize=address,undefined) and clang's libFuzzer and ASan
#     runtimes (clang -fsanitize=fuzzer,address,undefined), by linking a tiny target.
# Run as root it installs with apt-get; otherwise it prints the exact command and fails.
# TILL_DEPS_VERBOSE=1 says what each check found.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
PKGS=$(sed 's/#.*//' "$top/scripts/packages.list" | tr -s ' \t\n' '   ')
PKGS=$(echo $PKGS)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/till-deps.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
check_all() {
missing=""

for tool in $(sh "$top/scripts/check-deps.sh" --commands); do
    case $tool in node | npm | npx) continue ;; esac # build/node: scripts/node-env.sh
    command -v "$tool" > /dev/null 2>&1 || missing="$missing $tool"
done

# the libraries: one program that calls into each, linked the way the Makefile links
cat > "$tmp/libs.c" << 'EOF'
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <ncurses.h>
#include <sqlite3.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <libusb.h>
#include <sodium.h>
#include <microhttpd.h>
#include <zstd.h>
#include <cmocka.h>
#include <umockdev.h>
int main(void)
{
    return !(curses_version() && sqlite3_libversion() && curl_version() && cJSON_Version() &&
             libusb_get_version() && sodium_init() >= 0 && MHD_get_version() && ZSTD_versionNumber() &&
             (void *)_cmocka_run_group_tests && (void *)umockdev_testbed_new);
}
EOF
mods="ncursesw sqlite3 libcurl libcjson libusb-1.0 libsodium libmicrohttpd libzstd cmocka umockdev-1.0"
if ! flags=$(pkg-config --cflags --libs $mods 2> "$tmp/pc.err"); then
    missing="$missing libraries($(sed -n 's/.*Package \(.*\) was not found.*/\1/p' "$tmp/pc.err" | tr '\n' ' '))"
elif ! cc -w "$tmp/libs.c" -o "$tmp/libs" $flags -lumockdev-preload > "$tmp/libs.err" 2>&1 || ! "$tmp/libs"; then
    missing="$missing libraries(link)"
fi

# the sanitizers the tests are built with, and clang's fuzzer runtime for the fuzz targets
printf 'int main(void) { return 0; }\n' > "$tmp/san.c"
cc -fsanitize=address,undefined "$tmp/san.c" -o "$tmp/san" > /dev/null 2>&1 && "$tmp/san" ||
    missing="$missing cc-sanitizers"
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' > "$tmp/fuzz.c"
clang -fsanitize=fuzzer,address,undefined "$tmp/fuzz.c" -o "$tmp/fuzz" > /dev/null 2>&1 && "$tmp/fuzz" -runs=1 > /dev/null 2>&1 ||
    missing="$missing clang-fuzzer-runtime"

}
check_all
if [ -z "$missing" ]; then
    [ -n "${TILL_DEPS_VERBOSE:-}" ] && echo "till: every command, library and runtime is here" >&2
    exit 0
fi
echo "till: missing:$missing" >&2
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS"
if [ "$(id -u)" != 0 ]; then
    echo "till: run as root:  sudo sh -c '$cmd'" >&2
    exit 1
fi
echo "till: installing $(echo $PKGS | wc -w) Debian packages (scripts/packages.list)" >&2
sh -c "$cmd" >&2
check_all
[ -z "$missing" ] || { echo "till: still missing after the install:$missing (scripts/packages.list lacks a package)" >&2; exit 1; }
