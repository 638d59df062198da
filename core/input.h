#ifndef CS_INPUT_H
#define CS_INPUT_H

#include "bytes.h"
#include "error.h"

#include <stdbool.h>

/*
 * The bytes of one input file: mapped read-only when it is a regular file
 * (so a 200 MB export costs no copy), read into memory when it is a pipe or
 * standard input ("-"). Inputs are never opened for writing.
 */
struct cs_input {
	char *name;         /* the path as given, "-" for standard input */
	struct cs_bytes data;
	bool mapped;
	size_t released; /* bytes already handed back with input_consumed */
};

/* Opens PATH ("-" = standard input); an empty input is an error. */
int input_open(struct cs_input *in, const char *path, struct cs_error *err);
void input_close(struct cs_input *in);

/*
 * Tells the kernel that bytes before OFFSET will not be read again soon: a
 * streaming reader calls this as it goes, so a mapped file's pages do not
 * pile up in memory. They are still there (read back from the file) if a
 * lazy plaintext needs them later.
 */
void input_consumed(struct cs_input *in, size_t offset);

#endif
