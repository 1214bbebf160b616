#!/bin/sh
# Every external command that the tests (tests/*.sh), the scripts (scripts/*, bench/*.sh)
# and the Makefile run comes from a Debian package in scripts/packages.list, or from one
# that every Debian system has (Essential, or priority required: a minimal debootstrap).
# A command used but not provided fails the check, naming the file and line of its first
# use.  The command -> package mapping is dpkg's own (dpkg -S on this machine), so it
# cannot drift from what Debian ships.  node, npm and npx are not Debian's: they come
# from the npm registry into build/node (scripts/node-env.sh).  The commands are found by a
# small shell lexer (scripts/commands.awk); a line it reads wrong ends in the comment
# "# check-deps: not a command".
#   check-deps.sh             the check (part of `make test`)
#   check-deps.sh --commands  only the names of the commands used, one a line
#                             (scripts/install-deps.sh checks each with command -v)
cd "$(dirname "$0")/.." || exit 1
files=$(ls tests/*.sh scripts/*.sh bench/*.sh 2>/dev/null)
# functions defined in any of them are not commands
funcs=$(grep -hoE '^[[:space:]]*(function[[:space:]]+)?[A-Za-z_][A-Za-z0-9_.:-]*[[:space:]]*\(\)' $files |
    sed -E 's/function//; s/[[:space:]()]//g' | sort -u | tr '\n' ' ')
uses() {
    # shellcheck disable=SC2086
    awk -v funclist="$funcs" -f scripts/commands.awk $files
    awk -v make=1 -f scripts/commands.awk Makefile
}
if [ "${1:-}" = --commands ]; then
    uses | awk '{print $2}' | sort -u
    exit 0
fi

command -v dpkg-query > /dev/null || { echo "check-deps: needs dpkg (a Debian system)"; exit 1; }
list=$(sed 's/#.*//' scripts/packages.list | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -u)
base=$(dpkg-query -W -f '${Package} ${Essential} ${Priority}\n' | awk '$2 == "yes" || $3 == "required" {print $1}')
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
uses | awk '!seen[$2]++ {print $2, $1}' > "$tmp/uses"
# where each command lies here, every name it may be registered under (usrmerge moved
# /bin to /usr/bin; alternatives are symlinks), then one dpkg-query for all of them
while read -r cmd where; do
    case $cmd in node | npm | npx) continue ;; esac
    path=$(command -v "$cmd" 2> /dev/null)
    case $path in
    /*) echo "$cmd $where $path"
        for p in "$(readlink -f "$path")" "/bin/$cmd" "/usr/bin/$cmd" "/sbin/$cmd" "/usr/sbin/$cmd"; do
            echo "$cmd $where $p"; done ;;
    *) echo "$where $cmd: not installed here, so its package is unknown (install it, and list its package in scripts/packages.list)" >&2
       echo 1 > "$tmp/failed" ;;
    esac
done < "$tmp/uses" > "$tmp/paths"
awk '{print $3}' "$tmp/paths" | sort -u | xargs dpkg-query -S 2> /dev/null | grep -v '^diversion by' |
    sed 's/, /,/g' > "$tmp/owners"
# the first of a command's names that a package owns decides; that package must be listed
{ printf '%s\n' $list $base | sed 's/^/ok /'; cat "$tmp/owners"; echo "--"; cat "$tmp/paths"; } | awk '
    $1 == "ok" { ok[$2] = 1; next }
    $0 == "--" { paths = 1; next }
    !paths { split($0, a, ": "); gsub(/:[a-z0-9_]+/, "", a[1]); owner[a[2]] = a[1]; next }
    {   cmd = $1; where[cmd] = $2
        if (!(cmd in pkg) && ($3 in owner)) pkg[cmd] = owner[$3]
        seen[cmd] = 1; if (!(cmd in order)) { order[cmd] = ++n; name[n] = cmd } }
    END {
        bad = 0
        for (i = 1; i <= n; i++) {
            c = name[i]
            if (!(c in pkg)) { print where[c] " " c ": it belongs to no Debian package here (a command the tests use must come from Debian)"; bad = 1; continue }
            k = split(pkg[c], ps, ","); found = 0
            for (j = 1; j <= k; j++) if (ps[j] in ok) found = 1
            if (!found) { print where[c] " " c ": its package " pkg[c] " is not in scripts/packages.list"; bad = 1 }
        }
        exit bad
    }' >&2 || status=1
[ -f "$tmp/failed" ] && status=1
[ $status -eq 0 ] || echo "check-deps: a fresh Debian 12 would miss these (see scripts/packages.list)" >&2
exit $status
