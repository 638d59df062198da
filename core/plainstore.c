#include "plainstore.h"

void plainstore_close(struct cs_plainstore *s)
{
	if (s)
		s->ops->close(s);
}
