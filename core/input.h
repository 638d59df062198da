#ifndef CS_INPUT_H
#define CS_INPUT_H

#include "buf.h"
#include "bytes.h"
#include "error.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

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
 * Standard input looked at before it is read. When it is a pipe (or
 * anything else that cannot be mapped), its first bytes are read here, so
 * that a form read as it comes (a tar archive: tar_open_stream) can be told
 * from the forms read whole; input_open_stdin_after then reads the rest.
 * A file on standard input is left alone (PIPED false): input_open("-")
 * maps it.
 */
struct cs_stdin_head {
	unsigned char bytes[512];
	size_t len;
	bool piped;
};
int input_stdin_head(struct cs_stdin_head *head, struct cs_error *err);
/* input_open("-") for a pipe whose HEAD was already read. */
int input_open_stdin_after(struct cs_input *in, const struct cs_stdin_head *head, struct cs_error *err);
/* read(2) of standard input, as tar_open_stream wants it (CTX unused). */
ssize_t input_read_stdin(void *ctx, void *buf, size_t len);

/*
 * Tells the kernel that bytes before OFFSET will not be read again soon: a
 * streaming reader calls this as it goes, so a mapped file's pages do not
 * pile up in memory. They are still there (read back from the file) if a
 * lazy plaintext needs them later.
 */
void input_consumed(struct cs_input *in, size_t offset);

/*
 * A small file read whole into OUT (index.json, a blob, docker's
 * config.json): 0, -1 (ERR says why), or INPUT_MISSING when there is no
 * such file (ERR says so too, for callers that mind). A regular file of
 * at most LIMIT bytes only; O_NONBLOCK keeps open() from waiting on a
 * FIFO, and the read stops past LIMIT should the file grow meanwhile.
 */
#define INPUT_MISSING (-2)
int input_read_small(const char *path, int64_t limit, struct cs_buf *out, struct cs_error *err);

#endif
