/* Import: every row validated, all rows in one transaction, nothing stored on an error. */
#include "server/catalog_import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define CSV_FIELDS 9   /* sku..age_restricted, then optionally group,deposit_sku */
#define CSV_REQUIRED 7

static int unit_valid(const char *u)
{
    return strcmp(u, "each") == 0 || strcmp(u, "kg") == 0;
}

static int tax_class_valid(const char *t)
{
    return strcmp(t, "std") == 0 || strcmp(t, "red") == 0 || strcmp(t, "zero") == 0;
}

static int text_valid(const char *s, size_t max)
{
    return s && *s && strlen(s) <= max;
}

static int price_valid(int64_t p)
{
    return p >= 0 && p <= SDB_PRICE_MAX;
}

/*
 * Splits one CSV line in place; fields may be "quoted" with "" for a quote inside.
 * Returns the number of fields or -1 for more than max.
 */
static int csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        if (*p != '"') {
            fields[n++] = p;
            while (*p && *p != ',')
                p++;
            if (*p != ',')
                return n;
            *p++ = '\0';
            continue;
        }
        char *out = ++p; /* unquoting only ever shrinks, so it is done in place */
        fields[n++] = out;
        while (*p) {
            if (p[0] == '"' && p[1] == '"') {
                *out++ = '"';
                p += 2;
            } else if (*p == '"') {
                p++;
                break;
            } else {
                *out++ = *p++;
            }
        }
        char sep = *p;
        *out = '\0';
        if (sep != ',')
            return n;
        p++;
    }
}

static int csv_row(struct sdb *db, char *line, long lineno, char *err, size_t errlen)
{
    char *f[CSV_FIELDS];
    int nf = csv_split(line, f, CSV_FIELDS);
    if (nf != CSV_REQUIRED && nf != CSV_FIELDS) {
        snprintf(err, errlen, "line %ld: expected %d or %d fields", lineno, CSV_REQUIRED, CSV_FIELDS);
        return -1;
    }
    for (int k = nf; k < CSV_FIELDS; k++)
        f[k] = (char *)"";
    struct sdb_product p = { .sku = f[0], .name = f[2], .unit = f[4], .tax_class = f[5],
                             .active = 1, .group = f[7], .deposit_sku = f[8] };
    int64_t age;
    if (!text_valid(p.sku, SDB_SKU_MAX) || !text_valid(p.name, SDB_NAME_MAX) ||
        parse_int64(f[3], &p.price) != 0 || !price_valid(p.price) || !unit_valid(p.unit) ||
        !tax_class_valid(p.tax_class) || parse_int64(f[6], &age) != 0 || age < 0 || age > 99 ||
        strlen(f[1]) > SDB_BARCODE_MAX || strlen(f[7]) > 31 || strlen(f[8]) > 31) {
        snprintf(err, errlen, "line %ld: bad product row", lineno);
        return -1;
    }
    p.age_restricted = (int)age;
    const char *barcode = f[1];
    if (sdb_product_put(db, &p, &barcode, *barcode ? 1 : 0, 0) != SDB_OK) {
        snprintf(err, errlen, "line %ld: %s", lineno, sdb_errmsg(db));
        return -1;
    }
    return 0;
}

/* An import is all or nothing: rolled back on the first bad row, else committed. */
static int finish_import(struct sdb *db, int rc, char *err, size_t errlen)
{
    if (rc != 0) {
        sdb_rollback(db);
        return -1;
    }
    if (sdb_commit(db) != SDB_OK) {
        snprintf(err, errlen, "commit: %s", sdb_errmsg(db));
        return -1;
    }
    return 0;
}

int catalog_import_csv(struct sdb *db, const char *path, long *rows, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = catalog_import_csv_stream(db, f, rows, err, errlen);
    fclose(f);
    return rc;
}

int catalog_import_csv_stream(struct sdb *db, FILE *f, long *rows, char *err, size_t errlen)
{
    if (sdb_begin(db) != SDB_OK) {
        snprintf(err, errlen, "begin: %s", sdb_errmsg(db));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    *rows = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || (lineno == 1 && strncmp(line, "sku,", 4) == 0))
            continue;
        rc = csv_row(db, line, lineno, err, errlen);
        if (rc == 0)
            (*rows)++;
    }
    free(line);
    return finish_import(db, rc, err, errlen);
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *g = realloc(buf, ncap + 1);
            if (!g) {
                free(buf);
                fclose(f);
                snprintf(err, errlen, "out of memory");
                return NULL;
            }
            buf = g;
            cap = ncap;
        }
        size_t got = fread(buf + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

static int json_product(struct sdb *db, const cJSON *o, long index, char *err, size_t errlen)
{
    const cJSON *sku = cJSON_GetObjectItemCaseSensitive(o, "sku");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(o, "price");
    const cJSON *unit = cJSON_GetObjectItemCaseSensitive(o, "unit");
    const cJSON *tax = cJSON_GetObjectItemCaseSensitive(o, "tax_class");
    const cJSON *codes = cJSON_GetObjectItemCaseSensitive(o, "barcodes");
    const cJSON *active = cJSON_GetObjectItemCaseSensitive(o, "active");
    struct sdb_product p = {
        .sku = cJSON_GetStringValue(sku),
        .name = cJSON_GetStringValue(name),
        .unit = cJSON_IsString(unit) ? unit->valuestring : "each",
        .tax_class = cJSON_IsString(tax) ? tax->valuestring : "std",
        .age_restricted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "age_restricted")),
        .active = active ? cJSON_IsTrue(active) : 1,
        .group = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "group")),
        .deposit_sku = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "deposit_sku")),
    };
    const cJSON *min_age = cJSON_GetObjectItemCaseSensitive(o, "min_age");
    if (p.age_restricted && cJSON_IsNumber(min_age) && min_age->valuedouble >= 2 && min_age->valuedouble <= 99)
        p.age_restricted = (int)min_age->valuedouble;
    /* the bound comes before the cast: a double beyond int64 is undefined to convert */
    if (!text_valid(p.sku, SDB_SKU_MAX) || !text_valid(p.name, SDB_NAME_MAX) ||
        !cJSON_IsNumber(price) || !(price->valuedouble >= 0) ||
        price->valuedouble > (double)SDB_PRICE_MAX ||
        price->valuedouble != (double)(int64_t)price->valuedouble || !unit_valid(p.unit) ||
        !tax_class_valid(p.tax_class) || (codes && !cJSON_IsArray(codes))) {
        snprintf(err, errlen, "product %ld: bad product", index);
        return -1;
    }
    p.price = (int64_t)price->valuedouble;
    int n = codes ? cJSON_GetArraySize(codes) : 0;
    const char **list = calloc((size_t)n + 1, sizeof *list);
    if (!list) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        list[i] = cJSON_GetStringValue(cJSON_GetArrayItem(codes, i));
        if (!text_valid(list[i], SDB_BARCODE_MAX)) {
            snprintf(err, errlen, "product %ld: barcodes must be strings of 1 to %d bytes", index,
                     SDB_BARCODE_MAX);
            free(list);
            return -1;
        }
    }
    int rc = sdb_product_put(db, &p, list, (size_t)n, 1);
    free(list);
    if (rc != SDB_OK) {
        snprintf(err, errlen, "product %ld: %s", index, sdb_errmsg(db));
        return -1;
    }
    return 0;
}

int catalog_import_json(struct sdb *db, const char *path, long *rows, char *err, size_t errlen)
{
    size_t len;
    char *text = read_file(path, &len, err, errlen);
    if (!text)
        return -1;
    int rc = catalog_import_json_text(db, text, len, rows, err, errlen);
    free(text);
    if (rc != 0 && strncmp(err, "expected", 8) == 0) {
        char why[128];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "%s: %s", path, why);
    }
    return rc;
}

int catalog_import_json_text(struct sdb *db, const char *text, size_t len, long *rows, char *err,
                             size_t errlen)
{
    cJSON *doc = cJSON_ParseWithLength(text, len);
    *rows = 0;
    if (!cJSON_IsArray(doc)) {
        snprintf(err, errlen, "expected a JSON array of products");
        cJSON_Delete(doc);
        return -1;
    }
    if (sdb_begin(db) != SDB_OK) {
        snprintf(err, errlen, "begin: %s", sdb_errmsg(db));
        cJSON_Delete(doc);
        return -1;
    }
    const cJSON *o;
    long i = 0;
    int rc = 0;
    cJSON_ArrayForEach(o, doc) {
        if ((rc = json_product(db, o, i, err, errlen)) != 0)
            break;
        i++;
    }
    cJSON_Delete(doc);
    *rows = i;
    return finish_import(db, rc, err, errlen);
}
