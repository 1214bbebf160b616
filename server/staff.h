/*
 * Staff on the server: the records tills sign on with (GET /v1/staff, by seq with
 * tombstones, like the catalog), kept up by the admin commands, and the documents tills
 * send up about their shifts (POST /v1/cash-movements, POST /v1/shifts), stored once
 * per idempotency key.  PINs are hashed here with argon2id (libsodium) at the tills'
 * default parameters; a PIN itself is never stored or printed.
 */
#ifndef TILL_SERVER_STAFF_H
#define TILL_SERVER_STAFF_H

#include <cjson/cJSON.h>

#include "server/orders.h"
#include "server/server_db.h"
#include "server/strbuf.h"

#define STAFF_ID_MAX 31
#define STAFF_NAME_MAX 63

/* SDB_OK; SDB_DUPLICATE (add: the id is taken), SDB_NOT_FOUND (others: no such staff);
 * SDB_RANGE with sdb-like detail in why (a bad role, PIN or id). */
int server_staff_add(struct sdb *db, const char *id, const char *name, const char *role, const char *pin,
                     char *why, size_t whylen);
int server_staff_set_pin(struct sdb *db, const char *id, const char *pin, char *why, size_t whylen);
int server_staff_set_role(struct sdb *db, const char *id, const char *role, char *why, size_t whylen);
int server_staff_set_active(struct sdb *db, const char *id, int active);
/* A tombstone: tills forget the staff member at their next sync. */
int server_staff_delete(struct sdb *db, const char *id);
/* Appends the JSON answer of GET /v1/staff to out. */
int server_staff_page(struct sdb *db, int64_t since, int limit, struct strbuf *out);

/* One uploaded cash movement or closed shift, as orders_handle: SDB_OK (its result
 * appended), SDB_CONFLICT (the key holds another payload), SDB_ERROR. */
int shift_docs_handle_movement(struct sdb *db, const cJSON *item, const struct orders_rules *rules,
                               cJSON *results);
int shift_docs_handle_shift(struct sdb *db, const cJSON *item, const struct orders_rules *rules,
                            cJSON *results);
/* How many documents of kind ("cash_movement", "shift") the server holds. */
int shift_docs_count(struct sdb *db, const char *kind, int64_t *out);

#endif
