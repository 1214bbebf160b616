/* The payment journal: every card request is an intent in SQLite before it reaches a
 * terminal, and every outcome updates it, each in its own transaction.  Open intents
 * (sending, unknown, or approved for a sale that never completed) survive a crash and are
 * resolved at the next start, so a customer is never charged twice and an approved
 * payment is never forgotten.  This module owns the payment_intents table. */
#ifndef TILL_PAYMENT_JOURNAL_H
#define TILL_PAYMENT_JOURNAL_H

#include <stdint.h>

#include "core/payment_outcome.h"
#include "src/store.h"

struct payment_intent {
    int64_t id;
    char reference[48];
    char sale_uuid[40];
    char op[12];
    char terminal[32];
    int64_t amount;
    char state[16];
    struct pt_outcome outcome;   /* what the terminal said (approved details) */
};

int journal_begin(struct store *st, const char *reference, const char *sale_uuid,
                  const char *op, const char *terminal, int64_t amount, int64_t now);
/* Sets the state and, when o is given, the terminal's details. */
int journal_update(struct store *st, const char *reference, const char *state,
                   const struct pt_outcome *o, int64_t now);
/* Intents that need resolving: sending, unknown, or approved without a completed sale. */
int journal_open_intents(struct store *st, struct payment_intent *out, int max);
/* 0 found, 1 no such intent, -1 error. */
int journal_get(struct store *st, const char *reference, struct payment_intent *out);
/* The sale's approved intents become completed: called by sales_commit inside the
 * sale's transaction, so a payment is settled exactly when its sale is stored. */
int journal_complete_sale(struct store *st, const char *sale_uuid, int64_t now);
/* The journal state for a terminal result. */
const char *journal_state_for(enum pt_result r);

#endif
