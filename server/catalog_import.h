/* Catalog import from the demo-catalog CSV format or a JSON array, in one transaction. */
#ifndef TILL_SERVER_CATALOG_IMPORT_H
#define TILL_SERVER_CATALOG_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "server/server_db.h"

/*
 * Every field is held to what a till accepts in a catalog page (sku up to 64 bytes, name up
 * to 200, price 0 to 2^50, barcodes up to 48), so an import never publishes a product that
 * every till would refuse.
 */

/* CSV header: sku,barcode,name,price,unit,tax_class,age_restricted; one barcode per row. */
int catalog_import_csv(struct sdb *db, const char *path, long *rows, char *err, size_t errlen);
/* The same from an open stream (the fuzz target's way in). */
int catalog_import_csv_stream(struct sdb *db, FILE *f, long *rows, char *err, size_t errlen);
/* [{"sku":..,"name":..,"price":..,"unit":..,"tax_class":..,"barcodes":[..]}]; the barcodes
 * listed become the product's whole set. */
int catalog_import_json(struct sdb *db, const char *path, long *rows, char *err, size_t errlen);
/* The same from text in memory. */
int catalog_import_json_text(struct sdb *db, const char *text, size_t len, long *rows, char *err,
                             size_t errlen);

#endif
