#ifndef CS_TUI_DRAW_H
#define CS_TUI_DRAW_H

#include "term.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Drawing text that is already display-safe (escaped by core/escape.c):
 * clipped to a width in terminal columns, never wrapped, with an ellipsis
 * where it was cut.
 */

/* Terminal columns TEXT takes (up to LEN bytes). */
int text_width(const char *text, size_t len);
/* Draws at (Y, X) in at most WIDTH columns; returns the columns used. */
int draw_text(const struct term *t, int y, int x, int width, const char *text, int attr);
/* Fills WIDTH columns at (Y, X) with spaces in ATTR. */
void draw_blank(int y, int x, int width, int attr);
/* A horizontal rule, in line-drawing characters or '-' without UTF-8. */
void draw_rule(const struct term *t, int y, int x, int width);
/* Bytes of TEXT that fit in WIDTH columns; *USED gets the columns. */
size_t text_fit(const char *text, int width, int *used);

#endif
