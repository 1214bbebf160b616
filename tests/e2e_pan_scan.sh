#!/bin/bash
# The card-number scan itself: it must find numbers as terminals print them (grouped by
# spaces or dashes, or next to other figures), and must not cry wolf at masked numbers,
# Luhn-invalid runs or a receipt's trace and date figures.
. "$(dirname "$0")/lib.sh"
t_tmpdir
SCAN="$TILL_ROOT/tests/pan_scan.sh"
found() { printf '%s\n' "$1" > "$T_DIR/f.txt"; ! bash "$SCAN" "$T_DIR/f.txt" >/dev/null; }
clean() { printf '%s\n' "$1" > "$T_DIR/f.txt"; bash "$SCAN" "$T_DIR/f.txt" >/dev/null; }
check "a whole run" found "PAN 4111111111111111"
check "groups of four with spaces (a receipt line)" found "Nr:  4111 1111 1111 1111"
check "groups with dashes" found "5500-0000-0000-0004"
check "next to other figures" found "Karte 4111 1111 1111 1111 01 25"
check "masked numbers are fine" clean "Nr:  **** **** **** 4821"
check "a Luhn-invalid run is not a card" clean "4111 1111 1111 1112"
check "figures side by side are not cards" clean "APPROVED 0b3c-861-1 199 000001 007919 4444"
check "an Amex layout is a card" found "3782 822463 10005"
check "receipt figures are not cards" clean "0000013    0004      000001  19.10.2021 13:30:04"
# a sale id whose digit groups pass Luhn (found among 3,000 random ids; e2e_payments once
# failed on such a card reference)
check "a sale id (UUID) is not a card" clean "ref 144d07f6-7024-4273-8489-7437b14d51fb-1"
check "a card number beside a UUID still is" found "b049e1ad-1111-4706-8132-5bf34dcd2c7a 4111111111111111"
# an audit row's hash with a Luhn-valid digit run (e2e_payments failed on one once)
check "a SHA-256 in hex is not a card" clean "prev_hash 9f0c51408835879233ab77e1c0d4f2a6b8e9d0c1f2a3b4c5d6e7f8091a2b3c4d"
check "a card number beside a hash still is" found "9f0c51408835879233ab77e1c0d4f2a6b8e9d0c1f2a3b4c5d6e7f8091a2b3c4d 4111111111111111"
finish
