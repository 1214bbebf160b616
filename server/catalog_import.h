/* Catalog import from the demo-catalog CSV format or a JSON array, in one transaction. */
#ifndef TILL_SERVER_CATALOG_IMPORT_H
#define TILL_SERVER_CATALOG_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "server/server_db.h"

/* CSV header: sku,barcode,name,price,unit,tax_class,age_restricted; one barcode per row. */
int catalog_import_csv(struct sdb *db, const char *path, long *rows, char *err, size_t errlen);
/* [{"sku":..,"name":..,"price":..,"unit":..,"tax_class":..,"barcodes":[..]}]; the barcodes
 * listed become the product's whole set. */
int catalog_import_json(struct sdb *db, const char *path, long *rows, char *err, size_t errlen);

/* A whole decimal integer (no trailing text, no overflow); 0 on success. Shared with the CLI. */
int parse_int64(const char *s, int64_t *out);

#endif
