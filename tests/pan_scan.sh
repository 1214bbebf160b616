#!/bin/bash
# pan_scan.sh [--barcodes DB] PATH...: prints every card-number-like run in the files or
# directories given: 13-19 digits that pass the Luhn check, written together or in groups
# separated by one space or dash ("4111 1111 1111 1111", as terminals print them), and any
# span of whole groups of such a run ("Nr 4111 1111 1111 1111 01") written as card
# numbers are: not starting with 0, every group but the last 4 to 6 digits long (amounts,
# trace and approval numbers side by side are not). SQLite files are
# dumped first. Catalog barcodes (EAN-13 can pass Luhn too) are excluded when a database
# with a barcodes table is named, and so are UUIDs (sale ids, card references) and hashes
# (32 or more hex digits, the audit chain's SHA-256): their digit runs pass as a card
# number now and then, and no card number is written in those shapes. Exit 1 if anything
# is found.
known=""
if [ "$1" = --barcodes ]; then
    # the catalog (and its barcodes) lives beside the database, in DB.catalog
    known=$(sqlite3 "$2.catalog" 'select code from barcodes' 2>/dev/null); shift 2
fi
# Candidates: digit groups joined by single spaces or dashes; every span of whole groups
# with 13-19 digits is Luhn-checked (awk: a database dump has many numbers).
scan_text() { # name
    sed -E 's/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/uuid/g;
            s/[0-9a-fA-F]{32,}/hash/g' |
    grep -aoE '[0-9]+([ -][0-9]+)*' | awk '
    function luhn(s,    i, d, sum, alt) {
        sum = 0; alt = 0
        for (i = length(s); i >= 1; i--) {
            d = substr(s, i, 1) + 0
            if (alt) { d *= 2; if (d > 9) d -= 9 }
            sum += d; alt = !alt
        }
        return sum % 10 == 0
    }
    {
        n = split($0, g, /[ -]/)
        for (a = 1; a <= n; a++) {
            s = ""
            for (b = a; b <= n; b++) {
                s = s g[b]
                if (length(s) > 19) break
                if (b > a && (length(g[b - 1]) < 4 || length(g[b - 1]) > 6)) break
                if (length(s) >= 13 && (a == b || (substr(s, 1, 1) != "0" && length(g[b]) <= 7)) && luhn(s)) print s
            }
        }
    }' | sort -u | while read -r run; do
        printf '%s\n' "$known" | grep -qx "$run" && continue
        echo "$1: $run"
    done
}
out=$(for p in "$@"; do
    while IFS= read -r f; do
        # a database's WAL and shared memory are read through its dump, not as raw pages
        case "$f" in *-wal|*-shm|*-journal) [ -f "${f%-*}" ] && continue ;; esac
        if head -c 16 "$f" 2>/dev/null | grep -q "SQLite format 3"; then
            sqlite3 "$f" .dump 2>/dev/null | sed -E "s/X'[0-9a-fA-F]*'//g" | scan_text "$f"
        else
            scan_text "$f" < "$f"
        fi
    done < <(find "$p" -type f 2>/dev/null)
done)
[ -z "$out" ] && exit 0
echo "$out"
exit 1
