#!/bin/bash
# End to end: a day on a German till (simulated TSE) exported with `till --dsfinvk`.  Sales
# at 19 % and 7 % in cash, by card and voucher, a paid in and a paid out, then the Z.  The
# export's index.xml is valid against the GDPdU DTD it ships (xmllint --dtdvalid); every CSV
# has exactly the columns DSFinV-K 2.x prescribes, in order (the lists below are this test's
# own transcription of the specification's chapter 3, so a change to core/dsfinvk.c must
# agree with them); the totals per VAT rate and per payment type equal the Z report's.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
DB=$XDG_DATA_HOME/till/till.db
SPOOL=$XDG_DATA_HOME/till/spool
OUT=$T_DIR/export
q() { sqlite3 "$DB" "$1"; }

printf '4321\n' | "$TILL_BIN" --add-staff Mia --role manager > /dev/null 2>&1
TILL="$TILL_BIN --set fiscal.country=DE --set fiscal.till_serial=KASSE-01 --set fiscal.company=Beispiel-GmbH \
    --set fiscal.city=Berlin --set payment.sim.latency_ms=100 --set staff.idle_lock_s=0 --set printer.driver=none"
t_tmux_start 100x40 "$TILL"
t_wait_for "Staff id:" 10 > /dev/null
t_keys 1 Enter
t_wait_for "PIN for " 5 > /dev/null
t_keys 4321 Enter
t_wait_for "Float counted:" 10 > /dev/null
t_keys 100 Enter
check "the shift opens" t_wait_for "Shift 1 open"

sell() { # sell "barcodes..." PAYKEYS...
    for code in $1; do
        t_keys "$code" Enter
        t_wait_for "Items" 5 > /dev/null
    done
    shift
    t_keys F5
    t_wait_for "F6: card" 5 > /dev/null
    "$@"
    t_wait_for "CHANGE DUE" 15 > /dev/null || return 1
    t_keys Enter
    t_wait_for "Empty sale" 5 > /dev/null
}
pay_cash() { t_keys 20 Enter; }
pay_card() { t_keys F6; }
pay_voucher() { t_type_slowly "$1"; t_keys F7; }
check "cash sale, 19 % and 7 %" sell "4031509839309 4010433218190" pay_cash
check "card sale" sell "4031509839309 4028710122696" pay_card
check "voucher sale" sell "4010433218190" pay_voucher "1,19"
t_keys F9
t_wait_for "paid in" 5 > /dev/null
t_keys i
t_wait_for "Amount:" 5 > /dev/null
t_keys 20 Enter
t_wait_for "Reason:" 5 > /dev/null
t_keys "change" Enter
check "paid in" t_wait_for "Paid in 20,00 € recorded"
t_keys F9
t_wait_for "paid out" 5 > /dev/null
t_keys o
t_wait_for "Amount:" 5 > /dev/null
t_keys 5 Enter
t_wait_for "Reason:" 5 > /dev/null
t_keys "cleaner" Enter
check "paid out" t_wait_for "Paid out 5,00 € recorded"
t_keys F9
t_wait_for "Z report" 5 > /dev/null
t_keys z
t_wait_for "Cash counted:" 5 > /dev/null
t_keys 100 Enter
check "the Z is made" t_wait_for "Z REPORT  No. 1"
t_keys Enter
t_keys F10
t_wait_exit 5 > /dev/null

today=$(date +%Y-%m-%d)
out=$("$TILL_BIN" --dsfinvk "$today" "$today" "$OUT" 2>&1)
check "the export runs" grep -q "1 closing (Z)" <<< "$out"
check "index.xml is valid against the GDPdU DTD" xmllint --noout --dtdvalid "$OUT/gdpdu-01-08-2002.dtd" "$OUT/index.xml"
check "index.xml names the DTD beside it" grep -q '<!DOCTYPE DataSet SYSTEM "gdpdu-01-08-2002.dtd">' "$OUT/index.xml"

# DSFinV-K 2.x chapter 3: the files and their columns, in order.
K="Z_KASSE_ID;Z_ERSTELLUNG;Z_NR"
B="$K;BON_ID"
declare -A COLS=(
  [lines.csv]="$B;POS_ZEILE;GUTSCHEIN_NR;ARTIKELTEXT;POS_TERMINAL_ID;GV_TYP;GV_NAME;INHAUS;P_STORNO;AGENTUR_ID;ART_NR;GTIN;WARENGR_ID;WARENGR;MENGE;FAKTOR;EINHEIT;STK_BR"
  [lines_vat.csv]="$B;POS_ZEILE;UST_SCHLUESSEL;POS_BRUTTO;POS_NETTO;POS_UST"
  [itemamounts.csv]="$B;POS_ZEILE;TYP;UST_SCHLUESSEL;PF_BRUTTO;PF_NETTO;PF_UST"
  [subitems.csv]="$B;POS_ZEILE;ZI_ART_NR;ZI_GTIN;ZI_NAME;ZI_WARENGR_ID;ZI_WARENGR;ZI_MENGE;ZI_FAKTOR;ZI_EINHEIT;ZI_UST_SCHLUESSEL;ZI_BASISPREIS_BRUTTO;ZI_BASISPREIS_NETTO;ZI_BASISPREIS_UST"
  [transactions.csv]="$B;BON_NR;BON_TYP;BON_NAME;TERMINAL_ID;BON_STORNO;BON_START;BON_ENDE;BEDIENER_ID;BEDIENER_NAME;UMS_BRUTTO;KUNDE_NAME;KUNDE_ID;KUNDE_TYP;KUNDE_STRASSE;KUNDE_PLZ;KUNDE_ORT;KUNDE_LAND;KUNDE_USTID;BON_NOTIZ"
  [transactions_vat.csv]="$B;UST_SCHLUESSEL;BON_BRUTTO;BON_NETTO;BON_UST"
  [allocation_groups.csv]="$B;ABRECHNUNGSKREIS"
  [datapayment.csv]="$B;ZAHLART_TYP;ZAHLART_NAME;ZAHLWAEH_CODE;ZAHLWAEH_BETRAG;BASISWAEH_BETRAG"
  [references.csv]="$B;POS_ZEILE;REF_TYP;REF_NAME;REF_DATUM;REF_Z_KASSE_ID;REF_Z_NR;REF_BON_ID"
  [transactions_tse.csv]="$B;TSE_ID;TSE_TANR;TSE_TA_START;TSE_TA_ENDE;TSE_TA_VORGANGSART;TSE_TA_SIGZ;TSE_TA_SIG;TSE_TA_FEHLER;TSE_VORGANGSDATEN"
  [cashpointclosing.csv]="$K;Z_BUCHUNGSTAG;TAXONOMIE_VERSION;Z_START_ID;Z_ENDE_ID;NAME;STRASSE;PLZ;ORT;LAND;STNR;USTID;Z_SE_ZAHLUNGEN;Z_SE_BARZAHLUNGEN"
  [location.csv]="$K;LOC_NAME;LOC_STRASSE;LOC_PLZ;LOC_ORT;LOC_LAND;LOC_USTID"
  [cashregister.csv]="$K;KASSE_BRAND;KASSE_MODELL;KASSE_SERIENNR;KASSE_SW_BRAND;KASSE_SW_VERSION;KASSE_BASISWAEH_CODE;KEINE_UST_ZUORDNUNG"
  [slaves.csv]="$K;TERMINAL_ID;TERMINAL_BRAND;TERMINAL_MODELL;TERMINAL_SERIENNR;TERMINAL_SW_BRAND;TERMINAL_SW_VERSION"
  [pa.csv]="$K;AGENTUR_ID;AGENTUR_NAME;AGENTUR_STRASSE;AGENTUR_PLZ;AGENTUR_ORT;AGENTUR_LAND;AGENTUR_STNR;AGENTUR_USTID"
  [vat.csv]="$K;UST_SCHLUESSEL;UST_SATZ;UST_BESCHR"
  [tse.csv]="$K;TSE_ID;TSE_SERIAL;TSE_SIG_ALGO;TSE_ZEITFORMAT;TSE_PD_ENCODING;TSE_PUBLIC_KEY;TSE_ZERTIFIKAT_I;TSE_ZERTIFIKAT_II;TSE_ZERTIFIKAT_III;TSE_ZERTIFIKAT_IV;TSE_ZERTIFIKAT_V;TSE_ZERTIFIKAT_VI;TSE_ZERTIFIKAT_VII"
  [businesscases.csv]="$K;GV_TYP;GV_NAME;AGENTUR_ID;UST_SCHLUESSEL;Z_UMS_BRUTTO;Z_UMS_NETTO;Z_UST"
  [payment.csv]="$K;ZAHLART_TYP;ZAHLART_NAME;Z_ZAHLART_BETRAG"
  [cash_per_currency.csv]="$K;ZAHLART_WAEH;ZAHLART_BETRAG_WAEH"
)
crlf_only() { ! grep -qv $'\r$' "$1"; }
check_eq "twenty DSFinV-K files" 20 "$(ls "$OUT"/*.csv | wc -l)"
for f in "${!COLS[@]}"; do
    check_eq "$f has the specification's columns" "${COLS[$f]}" "$(head -n 1 "$OUT/$f" | tr -d '\r')"
    n=$(awk -F';' 'NR > 1 && NF != '"$(tr ';' '\n' <<< "${COLS[$f]}" | wc -l)"' { bad++ } END { print bad + 0 }' "$OUT/$f")
    check_eq "every record of $f has that many fields" 0 "$n"
    check "$f ends its records with CRLF" crlf_only "$OUT/$f"
done
check "index.xml describes every file" test "$(grep -c '<URL>' "$OUT/index.xml")" -eq 20
check "the index and the CSV agree on lines.csv's columns" test \
    "$(sed -n '/<URL>lines.csv</,/<\/Table>/p' "$OUT/index.xml" | grep -A1 '<VariableColumn>' | sed -n 's:.*<Name>\(.*\)</Name>.*:\1:p' | paste -sd';')" = "${COLS[lines.csv]}"

# Totals: the export's per VAT rate and per payment type, against the Z report.
zr=$SPOOL/z-report-000001.txt
zamount() { # the amount on the Z report's line matching $1, in cents
    grep -E "$1" "$zr" | head -n 1 | awk '{ print $NF }' | tr -d '.,'
}
csvsum() { # csvsum FILE MATCH COLUMN: the sum of COLUMN over records whose line matches MATCH, in cents
    grep -F "$2" "$OUT/$1" | awk -F';' -v c="$3" '{ v = $c; gsub(/"/, "", v); sub(/,/, ".", v); s += v } END { printf "%d\n", s * 100 + (s >= 0 ? 0.5 : -0.5) }'
}
check "the Z report is there" test -f "$zr"
check_eq "19 % gross: export = Z" "$(zamount '^Tax std 19%')" "$(csvsum businesscases.csv '"Umsatz";;;1;' 8)"
check_eq "7 % gross: export = Z" "$(zamount '^Tax red 7%')" "$(csvsum businesscases.csv '"Umsatz";;;2;' 8)"
check_eq "19 % net: export = Z" "$(grep -A1 -E '^Tax std 19%' "$zr" | tail -n 1 | awk '{ print $NF }' | tr -d '.,')" \
    "$(csvsum businesscases.csv '"Umsatz";;;1;' 9)"
check_eq "card: export = Z" "$(zamount '^  Card ')" "$(csvsum payment.csv '"Karte"' 6)"
check_eq "vouchers: export = Z" "$(zamount '^  Voucher ')" "$(csvsum payment.csv '"Gutschein"' 6)"
cash_sales=$(zamount '^  Cash ')
check_eq "cash: export = the Z's cash sales + paid in - paid out" "$((cash_sales + 2000 - 500))" "$(csvsum payment.csv '"Bar";"Bar"' 6)"
check_eq "paid in: export = Z" "$(zamount '^\+ Paid in')" "$(csvsum businesscases.csv '"Einzahlung"' 8)"
check_eq "every sale is a Bon with its TSE transaction" "$(q "select count(*) from fiscal_tx where state = 'finished'")" \
    "$(($(wc -l < "$OUT/transactions_tse.csv") - 1))"
check "the TSE transactions carry their signatures" sh -c "tail -n +2 '$OUT/transactions_tse.csv' | grep -c 'Kassenbeleg-V1' | grep -qx 5"
check_eq "one Kassenabschluss" 2 "$(wc -l < "$OUT/cashpointclosing.csv")"
check "the Kassenabschluss is Z 1 of KASSE-01" grep -q '^"KASSE-01";[0-9T:-]*;1;' "$OUT/cashpointclosing.csv"
finish
