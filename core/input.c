#include "input.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pipes have no size to check up front; beyond this a stream is refused. */
#define CS_MAX_STREAM ((size_t)4 << 30)

/* Reads FD to its end into IN, after the HEAD_LEN bytes of HEAD already read from it. */
static int read_stream(struct cs_input *in, int fd, const unsigned char *head, size_t head_len,
		       struct cs_error *err)
{
	size_t len = head_len, cap = 1 << 16;
	unsigned char *data = xmalloc(cap);

	if (head_len)
		memcpy(data, head, head_len); /* at most a block: cap is far more */

	for (;;) {
		if (len == cap) {
			if (cap >= CS_MAX_STREAM) {
				free(data);
				return cs_fail(err, "%s: larger than 4 GiB", in->name);
			}
			cap *= 2;
			data = xrealloc(data, cap);
		}
		ssize_t n = read(fd, data + len, cap - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(data);
			return cs_fail(err, "%s: %s", in->name, strerror(e));
		}
		len += (size_t)n;
	}
	in->data = cs_bytes_of(data, len);
	in->mapped = false;
	return 0;
}

int input_open(struct cs_input *in, const char *path, struct cs_error *err)
{
	struct stat st;
	bool is_stdin = strcmp(path, "-") == 0;
	int fd, rc = -1;

	memset(in, 0, sizeof(*in));
	in->name = xstrdup(is_stdin ? "standard input" : path);
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cs_fail(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		cs_fail(err, "%s: %s", in->name, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		cs_fail(err, "%s: is a directory", in->name);
		goto fail;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((uint64_t)st.st_size > SIZE_MAX) {
			cs_fail(err, "%s: too large to map", in->name);
			goto fail;
		}
		void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			cs_fail(err, "%s: cannot map: %s", in->name, strerror(errno));
			goto fail;
		}
		madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
		in->data = cs_bytes_of(map, (size_t)st.st_size);
		in->mapped = true;
	} else if (read_stream(in, fd, NULL, 0, err) < 0) {
		goto fail;
	}
	if (in->data.len == 0) {
		cs_fail(err, "%s: empty file", in->name);
		goto fail;
	}
	rc = 0;
fail:
	if (fd >= 0 && !is_stdin)
		close(fd);
	if (rc < 0)
		input_close(in);
	return rc;
}

/* A pipe, a socket or a terminal: what cannot be mapped, and is read as it comes. */
static bool is_stream(const struct stat *st)
{
	return !S_ISDIR(st->st_mode) && !(S_ISREG(st->st_mode) && st->st_size > 0);
}

int input_stdin_head(struct cs_stdin_head *head, struct cs_error *err)
{
	struct stat st;

	memset(head, 0, sizeof(*head));
	if (fstat(STDIN_FILENO, &st) < 0)
		return cs_fail(err, "standard input: %s", strerror(errno));
	head->piped = is_stream(&st);
	while (head->piped && head->len < sizeof(head->bytes)) {
		ssize_t n = read(STDIN_FILENO, head->bytes + head->len, sizeof(head->bytes) - head->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cs_fail(err, "standard input: %s", strerror(errno));
		if (n == 0)
			break;
		head->len += (size_t)n;
	}
	return 0;
}

int input_open_stdin_after(struct cs_input *in, const struct cs_stdin_head *head, struct cs_error *err)
{
	memset(in, 0, sizeof(*in));
	in->name = xstrdup("standard input");
	if (read_stream(in, STDIN_FILENO, head->bytes, head->len, err) < 0) {
		input_close(in);
		return -1;
	}
	if (in->data.len == 0) {
		cs_fail(err, "%s: empty file", in->name);
		input_close(in);
		return -1;
	}
	return 0;
}

ssize_t input_read_stdin(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	return read(STDIN_FILENO, buf, len);
}

void input_close(struct cs_input *in)
{
	if (in->mapped)
		munmap((void *)in->data.ptr, in->data.len);
	else
		free((void *)in->data.ptr);
	free(in->name);
	memset(in, 0, sizeof(*in));
}

void input_consumed(struct cs_input *in, size_t offset)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t end;

	if (!in->mapped || page <= 0 || offset > in->data.len)
		return;
	end = offset - offset % (size_t)page;
	if (end <= in->released)
		return;
	madvise((void *)(in->data.ptr + in->released), end - in->released, MADV_DONTNEED);
	in->released = end;
}

int input_read_small(const char *path, int64_t limit, struct cs_buf *out, struct cs_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;

	buf_reset(out);
	if (fd < 0) {
		int e = errno;
		cs_fail(err, "%s: %s", path, strerror(e));
		return e == ENOENT || e == ENOTDIR ? INPUT_MISSING : -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cs_fail(err, "%s: not a regular file", path);
	}
	if (st.st_size > limit) {
		close(fd);
		return cs_fail(err, "%s: %lld bytes, more than the limit of %lld", path,
			       (long long)st.st_size, (long long)limit);
	}
	buf_reserve(out, (size_t)st.st_size);
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return cs_fail(err, "%s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		buf_add(out, chunk, (size_t)n);
		if ((int64_t)out->len > limit) {
			close(fd);
			return cs_fail(err, "%s: more than the limit of %lld bytes", path, (long long)limit);
		}
	}
	close(fd);
	return 0;
}
