/*
 * Copying with OSC 52: the terminal (or tmux, with set-clipboard on) puts
 * the text on the clipboard, which works over SSH where no X display is.
 * This is the only escape sequence of our own we write, and only what the
 * user asked to copy: a digest we formatted ourselves.
 */
#include "browser.h"
#include "core/base64.h"
#include "core/buf.h"

#include <unistd.h>

int clipboard_copy(const char *text)
{
	struct cs_buf seq = CS_BUF_INIT;
	int rc = 0;

	buf_adds(&seq, "\033]52;c;");
	base64_encode(&seq, text, strlen(text));
	buf_addc(&seq, '\007');
	for (size_t off = 0; off < seq.len;) {
		ssize_t n = write(STDOUT_FILENO, seq.data + off, seq.len - off);
		if (n <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	buf_free(&seq);
	return rc;
}
