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
/* The JSON schema (Go's json.Encoder with two-space indent), byte for byte. */
int dump_json(const struct cs_graph *g, FILE *out, struct cs_error *err);
/*
 * The same; with ESCAPE (stdout is a terminal), characters a terminal acts
 * on that Go writes raw (DEL, C1 controls, bidi controls) are \u escapes:
 * the JSON reads back the same, and a plaintext's type cannot reach the
 * terminal as control sequences.
 */
int dump_json_escaped(const struct cs_graph *g, bool escape, FILE *out, struct cs_error *err);

#endif
