#include "strpool.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strings_init(struct cs_strings *s)
{
	memset(s, 0, sizeof(*s));
}

void strings_free(struct cs_strings *s)
{
	free(s->data);
	memset(s, 0, sizeof(*s));
}

uint32_t strings_add(struct cs_strings *s, const char *str, size_t len)
{
	size_t off = s->len;

	if (off + len + 1 >= CS_STR_NONE) {
		fprintf(stderr, "cachescope: more than 4 GiB of names\n");
		exit(2);
	}
	XGROW(s->data, s->cap, off + len + 1);
	if (len)
		memcpy(s->data + off, str, len);
	s->data[off + len] = '\0';
	s->len = off + len + 1;
	return (uint32_t)off;
}
