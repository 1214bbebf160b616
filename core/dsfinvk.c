/* DSFinV-K 2.x files and columns, and their index.xml.  See core/dsfinvk.h for the
 * sources; each table names its section of the specification. */
#include "core/dsfinvk.h"

#include <stdio.h>
#include <string.h>

#define T(name, len) { name, DK_TEXT, 0, len }
#define N(name, places) { name, DK_NUM, places, 0 }
#define B(name) { name, DK_BOOL, 0, 0 }
#define D(name) { name, DK_TIME, 0, 0 }
/* Every file starts with the Kassenabschluss it belongs to; the single-record files go on
 * with BON_ID. */
#define Z_KEY T("Z_KASSE_ID", 50), D("Z_ERSTELLUNG"), N("Z_NR", 0)
#define BON_KEY Z_KEY, T("BON_ID", 40)

/* 3.1.1 Bonpos */
static const struct dsfinvk_column lines[] = {
    BON_KEY, T("POS_ZEILE", 50), T("GUTSCHEIN_NR", 50), T("ARTIKELTEXT", 255), T("POS_TERMINAL_ID", 50),
    T("GV_TYP", 30), T("GV_NAME", 40), B("INHAUS"), B("P_STORNO"), N("AGENTUR_ID", 0), T("ART_NR", 50),
    T("GTIN", 50), T("WARENGR_ID", 40), T("WARENGR", 50), N("MENGE", 3), N("FAKTOR", 3), T("EINHEIT", 50),
    N("STK_BR", 5),
};
/* 3.1.1.1 Bonpos_USt */
static const struct dsfinvk_column lines_vat[] = {
    BON_KEY, T("POS_ZEILE", 50), N("UST_SCHLUESSEL", 0), N("POS_BRUTTO", 5), N("POS_NETTO", 5), N("POS_UST", 5),
};
/* 3.1.1.2 Bonpos_Preisfindung */
static const struct dsfinvk_column itemamounts[] = {
    BON_KEY, T("POS_ZEILE", 50), T("TYP", 20), N("UST_SCHLUESSEL", 0), N("PF_BRUTTO", 5), N("PF_NETTO", 5),
    N("PF_UST", 5),
};
/* 3.1.1.3 Bonpos_Zusatzinfo */
static const struct dsfinvk_column subitems[] = {
    BON_KEY, T("POS_ZEILE", 50), T("ZI_ART_NR", 50), T("ZI_GTIN", 50), T("ZI_NAME", 50), T("ZI_WARENGR_ID", 40),
    T("ZI_WARENGR", 50), N("ZI_MENGE", 3), N("ZI_FAKTOR", 3), T("ZI_EINHEIT", 50), N("ZI_UST_SCHLUESSEL", 0),
    N("ZI_BASISPREIS_BRUTTO", 5), N("ZI_BASISPREIS_NETTO", 5), N("ZI_BASISPREIS_UST", 5),
};
/* 3.1.2 Bonkopf */
static const struct dsfinvk_column transactions[] = {
    BON_KEY, N("BON_NR", 0), T("BON_TYP", 30), T("BON_NAME", 60), T("TERMINAL_ID", 50), B("BON_STORNO"),
    D("BON_START"), D("BON_ENDE"), T("BEDIENER_ID", 50), T("BEDIENER_NAME", 50), N("UMS_BRUTTO", 2),
    T("KUNDE_NAME", 50), T("KUNDE_ID", 50), T("KUNDE_TYP", 50), T("KUNDE_STRASSE", 60), T("KUNDE_PLZ", 10),
    T("KUNDE_ORT", 62), T("KUNDE_LAND", 3), T("KUNDE_USTID", 15), T("BON_NOTIZ", 255),
};
/* 3.1.2.1 Bonkopf_USt */
static const struct dsfinvk_column transactions_vat[] = {
    BON_KEY, N("UST_SCHLUESSEL", 0), N("BON_BRUTTO", 5), N("BON_NETTO", 5), N("BON_UST", 5),
};
/* 3.1.2.2 Bonkopf_AbrKreis */
static const struct dsfinvk_column allocation_groups[] = {
    BON_KEY, T("ABRECHNUNGSKREIS", 50),
};
/* 3.1.2.3 Bonkopf_Zahlarten */
static const struct dsfinvk_column datapayment[] = {
    BON_KEY, T("ZAHLART_TYP", 25), T("ZAHLART_NAME", 60), T("ZAHLWAEH_CODE", 3), N("ZAHLWAEH_BETRAG", 2),
    N("BASISWAEH_BETRAG", 2),
};
/* 3.1.2.4 Bon_Referenzen */
static const struct dsfinvk_column references[] = {
    BON_KEY, T("POS_ZEILE", 50), T("REF_TYP", 20), T("REF_NAME", 40), D("REF_DATUM"), T("REF_Z_KASSE_ID", 50),
    N("REF_Z_NR", 0), T("REF_BON_ID", 40),
};
/* 3.1.2.5 TSE_Transaktionen */
static const struct dsfinvk_column transactions_tse[] = {
    BON_KEY, N("TSE_ID", 0), N("TSE_TANR", 0), T("TSE_TA_START", 0), T("TSE_TA_ENDE", 0),
    T("TSE_TA_VORGANGSART", 30), N("TSE_TA_SIGZ", 0), T("TSE_TA_SIG", 512), T("TSE_TA_FEHLER", 200),
    T("TSE_VORGANGSDATEN", 0),
};
/* 3.2.1 Stamm_Abschluss */
static const struct dsfinvk_column cashpointclosing[] = {
    Z_KEY, T("Z_BUCHUNGSTAG", 0), T("TAXONOMIE_VERSION", 0), T("Z_START_ID", 40), T("Z_ENDE_ID", 40),
    T("NAME", 60), T("STRASSE", 60), T("PLZ", 10), T("ORT", 62), T("LAND", 3), T("STNR", 20), T("USTID", 15),
    N("Z_SE_ZAHLUNGEN", 2), N("Z_SE_BARZAHLUNGEN", 2),
};
/* 3.2.2 Stamm_Orte */
static const struct dsfinvk_column location_cols[] = {
    Z_KEY, T("LOC_NAME", 60), T("LOC_STRASSE", 60), T("LOC_PLZ", 10), T("LOC_ORT", 62), T("LOC_LAND", 3),
    T("LOC_USTID", 15),
};
/* 3.2.3 Stamm_Kassen */
static const struct dsfinvk_column cashregister[] = {
    Z_KEY, T("KASSE_BRAND", 50), T("KASSE_MODELL", 50), T("KASSE_SERIENNR", 70), T("KASSE_SW_BRAND", 50),
    T("KASSE_SW_VERSION", 50), T("KASSE_BASISWAEH_CODE", 3), B("KEINE_UST_ZUORDNUNG"),
};
/* 3.2.4 Stamm_Terminals */
static const struct dsfinvk_column slaves[] = {
    Z_KEY, T("TERMINAL_ID", 50), T("TERMINAL_BRAND", 50), T("TERMINAL_MODELL", 50), T("TERMINAL_SERIENNR", 70),
    T("TERMINAL_SW_BRAND", 50), T("TERMINAL_SW_VERSION", 50),
};
/* 3.2.5 Stamm_Agenturen */
static const struct dsfinvk_column pa[] = {
    Z_KEY, N("AGENTUR_ID", 0), T("AGENTUR_NAME", 60), T("AGENTUR_STRASSE", 60), T("AGENTUR_PLZ", 10),
    T("AGENTUR_ORT", 62), T("AGENTUR_LAND", 3), T("AGENTUR_STNR", 20), T("AGENTUR_USTID", 15),
};
/* 3.2.6 Stamm_USt */
static const struct dsfinvk_column vat[] = {
    Z_KEY, N("UST_SCHLUESSEL", 0), N("UST_SATZ", 2), T("UST_BESCHR", 55),
};
/* 3.2.7 Stamm_TSE */
static const struct dsfinvk_column tse[] = {
    Z_KEY, N("TSE_ID", 0), T("TSE_SERIAL", 68), T("TSE_SIG_ALGO", 21), T("TSE_ZEITFORMAT", 31),
    T("TSE_PD_ENCODING", 5), T("TSE_PUBLIC_KEY", 512), T("TSE_ZERTIFIKAT_I", 1000), T("TSE_ZERTIFIKAT_II", 1000),
    T("TSE_ZERTIFIKAT_III", 1000), T("TSE_ZERTIFIKAT_IV", 1000), T("TSE_ZERTIFIKAT_V", 1000),
    T("TSE_ZERTIFIKAT_VI", 1000), T("TSE_ZERTIFIKAT_VII", 1000),
};
/* 3.3.1 Z_GV_Typ */
static const struct dsfinvk_column businesscases[] = {
    Z_KEY, T("GV_TYP", 30), T("GV_NAME", 40), N("AGENTUR_ID", 0), N("UST_SCHLUESSEL", 0), N("Z_UMS_BRUTTO", 5),
    N("Z_UMS_NETTO", 5), N("Z_UST", 5),
};
/* 3.3.2 Z_Zahlart */
static const struct dsfinvk_column payment[] = {
    Z_KEY, T("ZAHLART_TYP", 25), T("ZAHLART_NAME", 60), N("Z_ZAHLART_BETRAG", 2),
};
/* 3.3.3 Z_Waehrungen */
static const struct dsfinvk_column cash_per_currency[] = {
    Z_KEY, T("ZAHLART_WAEH", 3), N("ZAHLART_BETRAG_WAEH", 2),
};

#define TABLE(f, n, s, cols) { f, n, s, cols, (int)(sizeof cols / sizeof cols[0]) }
const struct dsfinvk_table dsfinvk_tables[DK_NFILES] = {
    [DK_LINES] = TABLE("lines.csv", "Bonpos", "3.1.1", lines),
    [DK_LINES_VAT] = TABLE("lines_vat.csv", "Bonpos_USt", "3.1.1.1", lines_vat),
    [DK_ITEMAMOUNTS] = TABLE("itemamounts.csv", "Bonpos_Preisfindung", "3.1.1.2", itemamounts),
    [DK_SUBITEMS] = TABLE("subitems.csv", "Bonpos_Zusatzinfo", "3.1.1.3", subitems),
    [DK_TRANSACTIONS] = TABLE("transactions.csv", "Bonkopf", "3.1.2", transactions),
    [DK_TRANSACTIONS_VAT] = TABLE("transactions_vat.csv", "Bonkopf_USt", "3.1.2.1", transactions_vat),
    [DK_ALLOCATION_GROUPS] = TABLE("allocation_groups.csv", "Bonkopf_AbrKreis", "3.1.2.2", allocation_groups),
    [DK_DATAPAYMENT] = TABLE("datapayment.csv", "Bonkopf_Zahlarten", "3.1.2.3", datapayment),
    [DK_REFERENCES] = TABLE("references.csv", "Bon_Referenzen", "3.1.2.4", references),
    [DK_TRANSACTIONS_TSE] = TABLE("transactions_tse.csv", "TSE_Transaktionen", "3.1.2.5", transactions_tse),
    [DK_CASHPOINTCLOSING] = TABLE("cashpointclosing.csv", "Stamm_Abschluss", "3.2.1", cashpointclosing),
    [DK_LOCATION] = TABLE("location.csv", "Stamm_Orte", "3.2.2", location_cols),
    [DK_CASHREGISTER] = TABLE("cashregister.csv", "Stamm_Kassen", "3.2.3", cashregister),
    [DK_SLAVES] = TABLE("slaves.csv", "Stamm_Terminals", "3.2.4", slaves),
    [DK_PA] = TABLE("pa.csv", "Stamm_Agenturen", "3.2.5", pa),
    [DK_VAT] = TABLE("vat.csv", "Stamm_USt", "3.2.6", vat),
    [DK_TSE] = TABLE("tse.csv", "Stamm_TSE", "3.2.7", tse),
    [DK_BUSINESSCASES] = TABLE("businesscases.csv", "Z_GV_Typ", "3.3.1", businesscases),
    [DK_PAYMENT] = TABLE("payment.csv", "Z_Zahlart", "3.3.2", payment),
    [DK_CASH_PER_CURRENCY] = TABLE("cash_per_currency.csv", "Z_Waehrungen", "3.3.3", cash_per_currency),
};

int dsfinvk_header(enum dsfinvk_file f, char *out, size_t len)
{
    const struct dsfinvk_table *t = &dsfinvk_tables[f];
    size_t used = 0;
    for (int i = 0; i < t->ncolumns; i++) {
        int n = snprintf(out + used, len - used, "%s%s", i ? ";" : "", t->columns[i].name);
        if (n < 0 || (size_t)n >= len - used)
            return -1;
        used += (size_t)n;
    }
    int n = snprintf(out + used, len - used, "\r\n");
    return n < 0 || (size_t)n >= len - used ? -1 : 0;
}

void dsfinvk_row_begin(struct dsfinvk_row *r, enum dsfinvk_file f)
{
    r->file = f;
    r->n = 0;
}

static char *next(struct dsfinvk_row *r)
{
    if (r->n >= DSFINVK_MAX_COLUMNS)
        return NULL;
    char *p = r->fields[r->n++];
    p[0] = 0;
    return p;
}

static const struct dsfinvk_column *column(const struct dsfinvk_row *r, int i)
{
    const struct dsfinvk_table *t = &dsfinvk_tables[r->file];
    return i < t->ncolumns ? &t->columns[i] : NULL;
}

void dsfinvk_text(struct dsfinvk_row *r, const char *s)
{
    const struct dsfinvk_column *c = column(r, r->n);
    char *p = next(r);
    if (!p)
        return;
    size_t o = 0;
    int chars = 0, max = c && c->max_length ? c->max_length : DSFINVK_FIELD;
    p[o++] = '"';
    for (; *s && o < DSFINVK_FIELD - 4; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch & 0xc0) != 0x80 && ++chars > max)
            break;   /* cut at a character, not inside one */
        if (ch == '\r' || ch == '\n')
            ch = ' ';
        if (ch == '"')
            p[o++] = '"';
        p[o++] = (char)ch;
    }
    p[o++] = '"';
    p[o] = 0;
}

void dsfinvk_num(struct dsfinvk_row *r, int64_t units, int exponent)
{
    const struct dsfinvk_column *c = column(r, r->n);
    char *p = next(r);
    if (!p)
        return;
    int places = c ? c->places : exponent;
    if (exponent < 0 || exponent > 18)
        exponent = 0;
    uint64_t a = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    uint64_t scale = 1;
    for (int i = 0; i < exponent; i++)
        scale *= 10;
    int n = snprintf(p, DSFINVK_FIELD, "%s%llu", units < 0 ? "-" : "", (unsigned long long)(a / scale));
    if (places > 0 && n > 0) {
        char frac[24];
        snprintf(frac, sizeof frac, "%0*llu", exponent > 0 ? exponent % 19 : 1, (unsigned long long)(a % scale));
        if (exponent == 0)
            frac[0] = 0;
        /* exponent digits, then zeros up to the column's places */
        size_t o = (size_t)n;
        p[o++] = ',';
        for (int i = 0; i < places; i++)
            p[o++] = i < exponent ? frac[i] : '0';
        p[o] = 0;
    }
}

void dsfinvk_bool(struct dsfinvk_row *r, int v)
{
    char *p = next(r);
    if (p)
        snprintf(p, DSFINVK_FIELD, "%d", v ? 1 : 0);
}

void dsfinvk_time(struct dsfinvk_row *r, const char *iso)
{
    char *p = next(r);
    if (p)
        snprintf(p, DSFINVK_FIELD, "%s", iso);
}

void dsfinvk_empty(struct dsfinvk_row *r)
{
    next(r);
}

int dsfinvk_row_end(const struct dsfinvk_row *r, char *out, size_t len)
{
    if (r->n != dsfinvk_tables[r->file].ncolumns)
        return -1;
    size_t used = 0;
    for (int i = 0; i < r->n; i++) {
        int n = snprintf(out + used, len - used, "%s%s", i ? ";" : "", r->fields[i]);
        if (n < 0 || (size_t)n >= len - used)
            return -1;
        used += (size_t)n;
    }
    int n = snprintf(out + used, len - used, "\r\n");
    return n < 0 || (size_t)n >= len - used ? -1 : 0;
}

/* XML text: the five characters XML reserves escaped. */
static int xml_text(const char *s, char *out, size_t len)
{
    size_t o = 0;
    for (; *s; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                        : *s == '"' ? "&quot;" : *s == '\'' ? "&apos;" : NULL;
        size_t n = rep ? strlen(rep) : 1;
        if (o + n >= len)
            return -1;
        memcpy(out + o, rep ? rep : s, n);
        o += n;
    }
    out[o] = 0;
    return 0;
}

int dsfinvk_index_xml(const char *supplier, const char *location, const char *comment,
                      const char *from_ddmmyyyy, const char *to_ddmmyyyy, char *out, size_t len)
{
    size_t used = 0;
    char a[256], b[256], c[512];
#define ADD(...) do { \
        int n_ = snprintf(out + used, len - used, __VA_ARGS__); \
        if (n_ < 0 || (size_t)n_ >= len - used) return -1; \
        used += (size_t)n_; \
    } while (0)
    if (xml_text(supplier, a, sizeof a) || xml_text(location, b, sizeof b) || xml_text(comment, c, sizeof c))
        return -1;
    ADD("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
        "<!DOCTYPE DataSet SYSTEM \"gdpdu-01-08-2002.dtd\">\r\n"
        "<DataSet>\r\n  <Version>1.0</Version>\r\n"
        "  <DataSupplier>\r\n    <Name>%s</Name>\r\n    <Location>%s</Location>\r\n"
        "    <Comment>%s</Comment>\r\n  </DataSupplier>\r\n"
        "  <Media>\r\n    <Name>DSFinV-K</Name>\r\n", a, b, c);
    for (int f = 0; f < DK_NFILES; f++) {
        const struct dsfinvk_table *t = &dsfinvk_tables[f];
        ADD("    <Table>\r\n      <URL>%s</URL>\r\n      <Name>%s</Name>\r\n"
            "      <Description>DSFinV-K %s %s</Description>\r\n"
            "      <Validity>\r\n        <Range>\r\n          <From>%s</From>\r\n          <To>%s</To>\r\n"
            "        </Range>\r\n        <Format>DD.MM.YYYY</Format>\r\n      </Validity>\r\n"
            "      <UTF8/>\r\n      <DecimalSymbol>,</DecimalSymbol>\r\n"
            "      <DigitGroupingSymbol>.</DigitGroupingSymbol>\r\n"
            "      <Range>\r\n        <From>2</From>\r\n      </Range>\r\n"
            "      <VariableLength>\r\n        <ColumnDelimiter>;</ColumnDelimiter>\r\n"
            "        <RecordDelimiter>&#13;&#10;</RecordDelimiter>\r\n"
            "        <TextEncapsulator>\"</TextEncapsulator>\r\n",
            t->file, t->name, t->section, t->name, from_ddmmyyyy, to_ddmmyyyy);
        for (int i = 0; i < t->ncolumns; i++) {
            const struct dsfinvk_column *col = &t->columns[i];
            ADD("        <VariableColumn>\r\n          <Name>%s</Name>\r\n", col->name);
            switch (col->type) {
            case DK_NUM:
                ADD("          <Numeric>\r\n            <Accuracy>%d</Accuracy>\r\n          </Numeric>\r\n",
                    col->places);
                break;
            case DK_BOOL:
                ADD("          <Numeric/>\r\n");
                break;
            case DK_TIME:
                ADD("          <AlphaNumeric/>\r\n");
                break;
            case DK_TEXT:
                if (col->max_length)
                    ADD("          <AlphaNumeric/>\r\n          <MaxLength>%d</MaxLength>\r\n", col->max_length);
                else
                    ADD("          <AlphaNumeric/>\r\n");
                break;
            }
            ADD("        </VariableColumn>\r\n");
        }
        ADD("      </VariableLength>\r\n    </Table>\r\n");
    }
    ADD("  </Media>\r\n</DataSet>\r\n");
#undef ADD
    return (int)used;
}
