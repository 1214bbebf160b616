#include "core/product.h"

#include <string.h>

const char *unit_name(enum unit u)
{
    return u == UNIT_KG ? "kg" : "each";
}

int unit_parse(const char *s, enum unit *out)
{
    if (strcmp(s, "each") == 0)
        *out = UNIT_EACH;
    else if (strcmp(s, "kg") == 0)
        *out = UNIT_KG;
    else
        return -1;
    return 0;
}
