/* Pause points for crash tests: a build with TILL_TEST_HOOKS (the ASan build, build/asan/)
 * stops at a named step when the environment says TILL_PAUSE_AT=<name>: it writes the name
 * to the file TILL_PAUSE_FILE and waits there for ever, so a test can SIGKILL it at exactly
 * that step (between two commits of a Z, say) instead of guessing with a sleep.  Other
 * builds have no pause points at all. */
#ifndef TILL_PAUSE_POINT_H
#define TILL_PAUSE_POINT_H

#ifdef TILL_TEST_HOOKS
void test_pause_point(const char *name);
#else
#define test_pause_point(name) ((void)0)
#endif

#endif
