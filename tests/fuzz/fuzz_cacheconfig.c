/*
 * libFuzzer target: remote cache configs (read_cacheconfig). An accepted
 * config must give a well-formed graph whose dumps are written and whose
 * JSON dump reads back unchanged (fuzz_cache.h); a refused one must say why.
 *
 * fuzz-options: -max_len=65536
 */
#include "fuzz_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_graph *g = graph_new("fuzz", NULL);
	struct cs_error err = { { 0 } };

	if (read_cacheconfig(g, "fuzz", cs_bytes_of(data, size), &err) == 0)
		fuzz_check_cache(g);
	else if (!err.msg[0])
		__builtin_trap();
	graph_free(g);
	return 0;
}
