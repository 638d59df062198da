#!/bin/sh
# Builds the debug-export fuzz targets with libFuzzer, ASan and UBSan:
#   tests/fuzz/build.sh [OUTDIR]        (default: fuzz-out/)
# then, e.g.:
#   fuzz-out/fuzz_debug_json -max_total_time=600 fuzz-out/corpus-json tests/fuzz/corpus/debug_json
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/fuzz-out}
mkdir -p "$out"
CC=${CC:-clang}
flags="-g -O1 -std=c11 -D_GNU_SOURCE -I$top -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
# what the readers, the plaintext resolver and the two dumps need
core="base64 buf digest dump_json dump_text error escape export_records graph
	graph_build input json_scan json_write op_json plaintext plainstore plainstore_memory
	read_debug_json read_debug_text strpool xalloc"
srcs=""
for f in $core; do srcs="$srcs $top/core/$f.c"; done
libs=$(pkg-config --libs libcrypto jansson)
for target in fuzz_debug_json fuzz_debug_text; do
	$CC $flags -o "$out/$target" "$top/tests/fuzz/$target.c" $srcs $libs
done
echo "built $out/fuzz_debug_json $out/fuzz_debug_text"
