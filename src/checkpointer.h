/* Checkpoints of the catalog's write-ahead log on a thread of its own: copying a few MB
 * into the catalog file and fsyncing it takes 5-10 ms, too long for the loop while a sync
 * writes a page every few milliseconds.  The thread has its own SQLite connection to the
 * file (WAL lets it run beside the loop's writer); it starts on the first kick. */
#ifndef TILL_CHECKPOINTER_H
#define TILL_CHECKPOINTER_H

struct checkpointer;

/* NULL when out of memory (the caller then checkpoints in place). */
struct checkpointer *checkpointer_new(const char *path);
/* Asks for a checkpoint soon; returns at once.  0, or -1 when no thread could start. */
int checkpointer_kick(struct checkpointer *c);
/* Waits for a checkpoint under way and closes the thread's connection (before the file
 * is detached or replaced); a later kick starts again. */
void checkpointer_stop(struct checkpointer *c);
/* 1 while the thread has not yet copied the whole log since the last kick (0 when it
 * cannot run at all). */
int checkpointer_lagging(struct checkpointer *c);
/* Checkpoints the thread has run (tests). */
long checkpointer_runs(struct checkpointer *c);
void checkpointer_free(struct checkpointer *c);

#endif
