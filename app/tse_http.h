/* The HTTP a cloud TSE (drivers/tse_fiskaly.c) talks through: offline/http.c's curl multi
 * on the loop behind drivers/tse.h's struct tse_http, with the bearer token per request. */
#ifndef TILL_APP_TSE_HTTP_H
#define TILL_APP_TSE_HTTP_H

#include "drivers/tse.h"

struct loop;
struct tse_http_adapter;

/* timeout_ms: a whole request.  NULL when out of memory. */
struct tse_http_adapter *tse_http_adapter_new(struct loop *loop, long timeout_ms);
/* Requests in flight end without their callbacks. */
void tse_http_adapter_free(struct tse_http_adapter *a);
const struct tse_http *tse_http_adapter_iface(struct tse_http_adapter *a);

#endif
