/* libFuzzer target: the text debug export reader (see fuzz_export.h). */
#include "fuzz_export.h"

static int dump_text_raw(const struct cs_graph *g, FILE *out, struct cs_error *err)
{
	return dump_text(g, false, out, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_export(read_debug_text, dump_text_raw, data, size);
	return 0;
}
