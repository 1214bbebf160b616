/*
 * libFuzzer: a catalog file given to `till-server import`, as CSV (first byte even) or
 * JSON (odd), into an in-memory store database. An import either stores rows or says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "server/catalog_import.h"
#include "server/server_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sdb *db;
static unsigned runs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256] = "";
    /* a fresh database now and then keeps it small */
    if (db && ++runs % 512 == 0) {
        sdb_close(db);
        db = NULL;
    }
    if (!db && sdb_open(":memory:", &db, err, sizeof err) != SDB_OK)
        __builtin_trap();
    if (size == 0)
        return 0;
    long rows = -1;
    int rc;
    if (data[0] % 2 == 0) {
        if (size == 1)
            return 0; /* fmemopen wants at least one byte */
        FILE *f = fmemopen((void *)(data + 1), size - 1, "r");
        if (!f)
            return 0;
        rc = catalog_import_csv_stream(db, f, &rows, err, sizeof err);
        fclose(f);
    } else {
        rc = catalog_import_json_text(db, (const char *)data + 1, size - 1, &rows, err, sizeof err);
    }
    if ((rc != 0 && !err[0]) || (rc == 0 && rows < 0))
        __builtin_trap();
    return 0;
}
