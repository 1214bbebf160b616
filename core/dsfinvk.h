/* DSFinV-K 2.x (Digitale Schnittstelle der Finanzverwaltung für Kassensysteme, BMF/BZSt):
 * every file of the export with its columns in the specification's order, kept in this one
 * place, and the index.xml that describes them (GDPdU Beschreibungsstandard 01.08.2002,
 * assets/gdpdu-01-08-2002.dtd).  Pure: the export (app/dsfinvk_export.c) fills the rows.
 *
 * Sources: DSFinV-K 2.x chapter 3 (3.1 Einzelaufzeichnungsmodul, 3.2 Stammdatenmodul, 3.3
 * Kassenabschlussmodul), each file's section number below; the column lists as python-
 * dsfinvk (pretix, DSFinV-K 2.0) encodes them.  The files are UTF-8, ';' between columns,
 * '"' around text, CRLF after each record, the column names in the first line (index.xml
 * Range From 2), numbers with a decimal comma, booleans 0/1, times as local
 * YYYY-MM-DDThh:mm:ss (the TSE's own times as UTC with milliseconds and Z). */
#ifndef TILL_DSFINVK_H
#define TILL_DSFINVK_H

#include <stddef.h>
#include <stdint.h>

enum dsfinvk_type { DK_TEXT, DK_NUM, DK_BOOL, DK_TIME };

struct dsfinvk_column {
    const char *name;
    enum dsfinvk_type type;
    int places;          /* DK_NUM: digits after the decimal comma */
    int max_length;      /* DK_TEXT: 0 when unlimited */
};

struct dsfinvk_table {
    const char *file;            /* "lines.csv" */
    const char *name;            /* "Bonpos" */
    const char *section;         /* "3.1.1" */
    const struct dsfinvk_column *columns;
    int ncolumns;
};

enum dsfinvk_file {
    DK_LINES, DK_LINES_VAT, DK_ITEMAMOUNTS, DK_SUBITEMS, DK_TRANSACTIONS, DK_TRANSACTIONS_VAT,
    DK_ALLOCATION_GROUPS, DK_DATAPAYMENT, DK_REFERENCES, DK_TRANSACTIONS_TSE,
    DK_CASHPOINTCLOSING, DK_LOCATION, DK_CASHREGISTER, DK_SLAVES, DK_PA, DK_VAT, DK_TSE,
    DK_BUSINESSCASES, DK_PAYMENT, DK_CASH_PER_CURRENCY,
    DK_NFILES
};

extern const struct dsfinvk_table dsfinvk_tables[DK_NFILES];

/* The column header line of a file, CRLF-terminated. */
int dsfinvk_header(enum dsfinvk_file f, char *out, size_t len);

/* A record under construction: fields in the table's column order. */
#define DSFINVK_MAX_COLUMNS 32
#define DSFINVK_FIELD 1100
struct dsfinvk_row {
    enum dsfinvk_file file;
    int n;                                    /* columns set so far */
    char fields[DSFINVK_MAX_COLUMNS][DSFINVK_FIELD];
};
void dsfinvk_row_begin(struct dsfinvk_row *r, enum dsfinvk_file f);
/* The next column: text (quoted, '"' doubled, cut to the column's maximum length), a
 * number in minor units with its exponent (1234, 2 -> "12,34"; padded to the column's
 * places), a boolean, a time already formatted, or empty. */
void dsfinvk_text(struct dsfinvk_row *r, const char *s);
void dsfinvk_num(struct dsfinvk_row *r, int64_t units, int exponent);
void dsfinvk_bool(struct dsfinvk_row *r, int v);
void dsfinvk_time(struct dsfinvk_row *r, const char *iso);
void dsfinvk_empty(struct dsfinvk_row *r);
/* The record as one CRLF-terminated line; -1 when the row does not have exactly the
 * table's columns or out is too small. */
int dsfinvk_row_end(const struct dsfinvk_row *r, char *out, size_t len);

/* index.xml for all files: the data supplier's name, location and comment, the validity
 * range as DD.MM.YYYY.  Returns the length written (excluding the NUL), or -1 if len is
 * too small. */
int dsfinvk_index_xml(const char *supplier, const char *location, const char *comment,
                      const char *from_ddmmyyyy, const char *to_ddmmyyyy, char *out, size_t len);

#endif
