#include "draw.h"

#include <curses.h>
#include <string.h>
#include <wchar.h>

static int char_width(const char *p, size_t len, size_t *bytes)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, p, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*bytes = 1;
		return 1;
	}
	*bytes = n;
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

size_t text_fit(const char *text, int width, int *used)
{
	size_t len = strlen(text), at = 0;
	int cols = 0;

	while (at < len) {
		size_t bytes;
		int w = (unsigned char)text[at] < 0x80 ? (bytes = 1, 1) : char_width(text + at, len - at, &bytes);
		if (cols + w > width)
			break;
		cols += w;
		at += bytes;
	}
	*used = cols;
	return at;
}

int text_width(const char *text, size_t len)
{
	int cols = 0;

	for (size_t at = 0; at < len;) {
		size_t bytes;
		cols += (unsigned char)text[at] < 0x80 ? (bytes = 1, 1) : char_width(text + at, len - at, &bytes);
		at += bytes;
	}
	return cols;
}

int draw_text(const struct term *t, int y, int x, int width, const char *text, int attr)
{
	int used;
	size_t fit;

	if (width <= 0)
		return 0;
	fit = text_fit(text, width, &used);
	if (fit < strlen(text)) {
		/* cut: leave a column for the ellipsis */
		fit = text_fit(text, width - 1, &used);
		attron(attr);
		mvaddnstr(y, x, text, (int)fit);
		addstr(t->utf8 ? "\xe2\x80\xa6" : "~");
		attroff(attr);
		return used + 1;
	}
	attron(attr);
	mvaddnstr(y, x, text, (int)fit);
	attroff(attr);
	return used;
}

void draw_blank(int y, int x, int width, int attr)
{
	attron(attr);
	for (int i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
	attroff(attr);
}

void draw_rule(const struct term *t, int y, int x, int width)
{
	if (t->utf8) {
		for (int i = 0; i < width; i++)
			mvaddstr(y, x + i, "\xe2\x94\x80");
	} else {
		for (int i = 0; i < width; i++)
			mvaddch(y, x + i, '-');
	}
}
