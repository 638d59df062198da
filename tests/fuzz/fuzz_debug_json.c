/* libFuzzer target: the JSON debug export reader (see fuzz_export.h). */
#include "fuzz_export.h"

static int dump_json_file(const struct cs_graph *g, FILE *out, struct cs_error *err)
{
	return dump_json(g, out, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_export(read_debug_json, dump_json_file, data, size);
	return 0;
}
