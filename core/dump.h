#ifndef CS_DUMP_H
#define CS_DUMP_H

#include "error.h"
#include "graph.h"

#include <stdbool.h>
#include <stdio.h>

/*
 * `cachescope dump`: every record as the daemon's /debug/cache/store (or
 * /debug/cache/load) answers, in text or in its JSON schema, byte for byte.
 */

/* ESCAPE shows untrusted bytes as visible escapes (stdout is a terminal). */
int dump_text(const struct cs_graph *g, bool escape, FILE *out, struct cs_error *err);
/* The JSON schema (Go's json.Encoder with two-space indent); always terminal-safe. */
int dump_json(const struct cs_graph *g, FILE *out, struct cs_error *err);

#endif
