/* Back and forward along the rows visited, as a web browser does. */
#include "browser.h"
#include "core/xalloc.h"

#include <stdlib.h>

void history_push(struct history *h, uint32_t from)
{
	XGROW(h->back, h->back_cap, h->back_count + 1);
	h->back[h->back_count++] = from;
	h->forward_count = 0;
}

bool history_back(struct history *h, uint32_t current, uint32_t *to)
{
	if (!h->back_count)
		return false;
	XGROW(h->forward, h->forward_cap, h->forward_count + 1);
	h->forward[h->forward_count++] = current;
	*to = h->back[--h->back_count];
	return true;
}

bool history_forward(struct history *h, uint32_t current, uint32_t *to)
{
	if (!h->forward_count)
		return false;
	XGROW(h->back, h->back_cap, h->back_count + 1);
	h->back[h->back_count++] = current;
	*to = h->forward[--h->forward_count];
	return true;
}

void history_free(struct history *h)
{
	free(h->back);
	free(h->forward);
}
