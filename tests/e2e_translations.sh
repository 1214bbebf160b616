#!/bin/bash
# The kiosk's catalogs (assets/po/*.po): every one compiles with msgfmt --check, with no
# untranslated or fuzzy entry; each has every msgid the sources mark (xgettext, as
# `make pot` runs it) and none they no longer do; and each translation fits the 80x24
# kiosk screens: key caps 16 columns (xgettext's comment on CAP_), lines whose comment
# says "at most N columns" N, every other line 76.  The checks are first shown to catch a
# broken copy, so that a pass means something.
. "$(dirname "$0")/lib.sh"
t_tmpdir
cd "$TILL_ROOT" || exit 1
export LC_ALL=C.UTF-8   # wc -m counts characters, not bytes
DEFAULT_WIDTH=76

make --no-print-directory build/po/till.pot > "$T_DIR/pot.log" 2>&1
check "xgettext extracts the msgids (make pot)" test -s build/po/till.pot || cat "$T_DIR/pot.log"
POT=build/po/till.pot

complete() { # complete PO: compiles, nothing untranslated or fuzzy
    stats=$(msgfmt --check --statistics -o /dev/null "$1" 2>&1) || { echo "$stats"; return 1; }
    case "$stats" in *untranslated*|*fuzzy*) echo "$stats"; return 1 ;; esac
    return 0
}
in_step() { # in_step PO: the same msgids as the sources, both ways
    msgcmp "$1" "$POT" 2>&1 || return 1
    # what the sources no longer have turns obsolete (#~) when merged with them
    msgmerge --quiet --no-fuzzy-matching -o "$T_DIR/step.po" "$1" "$POT" 2>&1 || return 1
    if grep -q '^#~ msgid' "$T_DIR/step.po"; then
        echo "no longer in the sources:"; grep '^#~ msgid' "$T_DIR/step.po"; return 1
    fi
}
too_wide() { # too_wide PO: prints every translation wider than its limit
    merged=$T_DIR/merged.po
    # the comments as the sources have them now
    msgmerge --quiet --no-fuzzy-matching --no-wrap -o "$merged" "$1" "$POT" || return 0
    for n in $(grep -o 'at most [0-9]* columns' "$merged" | grep -o '[0-9]*' | sort -un); do
        msggrep -X -F -e "at most $n columns" -o "$T_DIR/sub.po" "$merged"
        LIMIT=$n msgexec -i "$T_DIR/sub.po" sh -c \
            '[ -z "$MSGEXEC_MSGID" ] || { w=$(wc -m); [ "$w" -le "$LIMIT" ] || echo "$w > $LIMIT columns: $MSGEXEC_MSGID"; }'
    done
    msggrep -v -X -E -e 'at most [0-9]+ columns' -o "$T_DIR/rest.po" "$merged"
    LIMIT=$DEFAULT_WIDTH msgexec -i "$T_DIR/rest.po" sh -c \
        '[ -z "$MSGEXEC_MSGID" ] || { w=$(wc -m); [ "$w" -le "$LIMIT" ] || echo "$w > $LIMIT columns: $MSGEXEC_MSGID"; }'
}

# the checks catch what they are for
bad=$T_DIR/bad.po
sed '0,/^msgstr "SUMME"$/s//msgstr ""/' assets/po/de.po > "$bad"
check "an untranslated entry is caught" test -n "$(complete "$bad")"
awk '/^msgid "TOTAL"$/ { print "#, fuzzy" } { print }' assets/po/de.po > "$bad"
check "a fuzzy entry is caught" test -n "$(complete "$bad")"
sed 's/^msgstr "Mit Karte zahlen"$/msgstr "Mit der Bankkarte zahlen"/' assets/po/de.po > "$bad"
out=$(too_wide "$bad")
check "a key cap over 16 columns is caught" grep -q "24 > 16 columns: Pay by card" <<<"$out"
sed 's/^msgstr "Bitte prüfen Sie Ihre Artikel"$/msgstr "Bitte prüfen Sie nun ganz in Ruhe alle Ihre Artikel, einen nach dem anderen, bevor Sie zahlen"/' assets/po/de.po > "$bad"
out=$(too_wide "$bad")
check "a sentence over $DEFAULT_WIDTH columns is caught" grep -q "columns: Please check your items" <<<"$out"
awk '/^msgid "TOTAL"$/ { skip = 1 } skip && /^$/ { skip = 0; next } !skip' assets/po/de.po > "$bad"
check "a msgid missing from a catalog is caught" bash -c "! msgcmp '$bad' '$POT' 2>/dev/null"
{ cat assets/po/de.po; printf '\nmsgid "gone from the sources"\nmsgstr "weg"\n'; } > "$bad"
check "a msgid the sources no longer have is caught" test -n "$(in_step "$bad")"

n=0
for po in assets/po/*.po; do
    n=$((n + 1))
    lang=$(basename "$po" .po)
    out=$(complete "$po"); check "$lang: compiles, every entry translated, none fuzzy" test -z "$out" || echo "$out"
    out=$(in_step "$po"); check "$lang: the msgids of the sources, no more, no less" test $? -eq 0 || echo "$out"
    out=$(too_wide "$po"); check_eq "$lang: every translation fits the 80x24 kiosk" "" "$out"
done
check "there is a catalog besides English (German at least)" test -f assets/po/de.po
finish
