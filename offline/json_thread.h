/* A JSON document parsed on a thread of its own, for answers big enough that parsing them
 * would hold the loop (a catalog page of 2,000 products takes 1.5-4 ms; more on a busy
 * machine).  The callback comes on the loop, once, unless the job is cancelled. */
#ifndef TILL_JSON_THREAD_H
#define TILL_JSON_THREAD_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct loop;
struct json_job;

/* doc belongs to the callee (NULL: the text is not JSON, or out of memory). */
typedef void (*json_parsed_cb)(void *ctx, cJSON *doc);

/* Copies text; NULL when no thread could start (parse in place then). */
struct json_job *json_parse_async(struct loop *loop, const char *text, size_t len, json_parsed_cb done, void *ctx);
/* Waits for the parse under way (a few ms at most), frees it; done is never called. */
void json_job_cancel(struct json_job *j);

#endif
