#ifndef CS_BUF_H
#define CS_BUF_H

#include <stddef.h>
#include <stdio.h>

/* A growable byte buffer; always NUL-terminated for convenience. */
struct cs_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define CS_BUF_INIT { NULL, 0, 0 }

void buf_reserve(struct cs_buf *b, size_t extra);
void buf_add(struct cs_buf *b, const void *data, size_t len);
void buf_addc(struct cs_buf *b, char c);
void buf_adds(struct cs_buf *b, const char *s);
void buf_printf(struct cs_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_reset(struct cs_buf *b);
void buf_free(struct cs_buf *b);
/* Hands the bytes to the caller (who frees them) and empties B. */
char *buf_detach(struct cs_buf *b, size_t *len);
/* Writes everything to F and empties B; -1 on a write error. */
int buf_flush(struct cs_buf *b, FILE *f);

#endif
