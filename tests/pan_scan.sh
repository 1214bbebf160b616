#!/bin/bash
# pan_scan.sh [--barcodes DB] PATH...: prints every whole run of 13-19 digits that passes
# the Luhn check (what a card number looks like) in the files or directories given; SQLite
# files are dumped first. Catalog barcodes (EAN-13 can pass Luhn too) are excluded when a
# database with a barcodes table is named. Exit 1 if anything is found.
known=""
if [ "$1" = --barcodes ]; then
    known=$(sqlite3 "$2" 'select code from barcodes' 2>/dev/null); shift 2
fi
luhn() {
    local s=$1 sum=0 i d alt=0
    for (( i=${#s}-1; i>=0; i-- )); do
        d=${s:i:1}
        if (( alt )); then d=$(( d * 2 )); (( d > 9 )) && d=$(( d - 9 )); fi
        sum=$(( sum + d )); alt=$(( !alt ))
    done
    (( sum % 10 == 0 ))
}
scan_text() { # name
    grep -aoE '(^|[^0-9])[0-9]{13,19}([^0-9]|$)' | grep -aoE '[0-9]{13,19}' | sort -u | while read -r run; do
        luhn "$run" || continue
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
