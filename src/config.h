/* Configuration: an INI-style file ("[section]" then "key = value"), addressed as
 * "section.key".  Later sources override earlier ones: built-in defaults, the file,
 * then command-line flags.  See assets/till.conf.example for every key. */
#ifndef TILL_CONFIG_H
#define TILL_CONFIG_H

#include <stddef.h>

struct config;

struct config *config_new(void);
void config_free(struct config *cfg);

/* Parses text; origin names it in error messages ("till.conf"). */
int config_parse(struct config *cfg, const char *text, const char *origin, char *err, size_t errlen);
int config_load_file(struct config *cfg, const char *path, char *err, size_t errlen);
int config_set(struct config *cfg, const char *key, const char *value);
/* The same, remembering where the value came from (a file and its line, or a flag with
 * line 0) for messages about it. */
int config_set_from(struct config *cfg, const char *key, const char *value, const char *origin, int line);
/* "section.key=value" as given to --set; its origin is "--set section.key=value". */
int config_set_assignment(struct config *cfg, const char *assignment, char *err, size_t errlen);

const char *config_get(const struct config *cfg, const char *key, const char *def);
/* Integer value; returns -1 (and leaves *out) when present but not a number. */
int config_get_int(const struct config *cfg, const char *key, long long def, long long *out);

int config_count(const struct config *cfg);
const char *config_key_at(const struct config *cfg, int i);
const char *config_value_at(const struct config *cfg, int i);
/* Where item i was set: "till.conf" with *line its line, "--set k=v" with *line 0, or
 * "(set by the program)". */
const char *config_origin_at(const struct config *cfg, int i, int *line);

/* The built-in demo store, used when no config file is given or found. */
extern const char config_demo_defaults[];

#endif
