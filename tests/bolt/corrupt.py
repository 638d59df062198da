#!/usr/bin/env python3
"""Writes malformed copies of a bbolt file, one per way a file can lie.

Usage: corrupt.py SOURCE.db OUTDIR
Each output is named for what is wrong with it. Metas are re-checksummed
where the point is a bad number behind a valid meta.
"""
import os
import struct
import sys

PAGE_HEADER = 16
META_FMT = "<IIII QQ Q Q Q Q"  # magic version pagesize flags root seq freelist pgid txid checksum


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def read_meta(buf, off):
    return list(struct.unpack_from(META_FMT, buf, off + PAGE_HEADER))


def write_meta(buf, off, m):
    m = list(m)
    body = struct.pack(META_FMT[:-2], *m[:9])
    m[9] = fnv1a64(body)
    struct.pack_into(META_FMT, buf, off + PAGE_HEADER, *m)


def page_size(buf):
    return read_meta(buf, 0)[2]


def current_meta(buf):
    ps = page_size(buf)
    a, b = read_meta(buf, 0), read_meta(buf, ps)
    return (0, a) if a[8] >= b[8] else (ps, b)


def set_both_metas(buf, index, value):
    ps = page_size(buf)
    for off in (0, ps):
        m = read_meta(buf, off)
        m[index] = value
        write_meta(buf, off, m)


def root_page(buf):
    return current_meta(buf)[1][4]


def first_leaf_under_root(buf):
    """The root page of the file's root bucket (a leaf in small files)."""
    return root_page(buf)


def main():
    src, out = sys.argv[1], sys.argv[2]
    data = bytearray(open(src, "rb").read())
    ps = page_size(data)
    cases = {}

    cases["empty"] = bytearray()
    cases["truncated-100-bytes"] = data[:100]
    cases["truncated-mid-tree"] = data[: ps * 3 + 100]

    b = bytearray(data)
    struct.pack_into("<I", b, PAGE_HEADER, 0x12345678)
    struct.pack_into("<I", b, ps + PAGE_HEADER, 0x12345678)
    cases["bad-magic-both"] = b

    b = bytearray(data)
    for off in (0, ps):
        struct.pack_into("<Q", b, off + PAGE_HEADER + 56, 0)
    cases["bad-checksum-both"] = b

    b = bytearray(data)
    off, _ = current_meta(b)
    struct.pack_into("<Q", b, off + PAGE_HEADER + 56, 1)  # newest meta broken: fall back
    cases["newest-meta-corrupt"] = b

    b = bytearray(data)
    set_both_metas(b, 4, read_meta(b, 0)[7] + 5)  # root beyond the high-water mark
    cases["root-beyond-high-water"] = b

    b = bytearray(data)
    set_both_metas(b, 7, 1 << 40)  # claims 2^40 pages
    cases["claims-2-40-pages"] = b

    root = root_page(data)
    b = bytearray(data)
    struct.pack_into("<H", b, root * ps + 8, 0x77)  # flags garbage on the root page
    cases["flags-garbage"] = b

    b = bytearray(data)
    struct.pack_into("<Q", b, root * ps, root + 1)  # page says it is another page
    cases["page-id-mismatch"] = b

    b = bytearray(data)
    struct.pack_into("<I", b, root * ps + 12, 1 << 20)  # overflow far past the end
    cases["overflow-past-end"] = b

    b = bytearray(data)
    count = struct.unpack_from("<H", b, root * ps + 10)[0]
    for i in range(count):
        # every leaf element of the root page points far past the page
        struct.pack_into("<I", b, root * ps + PAGE_HEADER + 16 * i + 4, 0x7FFFFFF0)
    cases["element-past-page"] = b

    b = bytearray(data)
    # the root page becomes a branch whose only element points at itself
    struct.pack_into("<HH", b, root * ps + 8, 0x01, 1)
    struct.pack_into("<IIQ", b, root * ps + PAGE_HEADER, 16, 1, root)
    b[root * ps + 2 * PAGE_HEADER] = ord("a")
    cases["branch-cycle"] = b

    b = bytearray(data)
    # every inline bucket in the file claims to hold a branch page
    changed = 0
    for page in range(2, len(b) // ps):
        base = page * ps
        flags, n = struct.unpack_from("<HH", b, base + 8)
        if flags != 0x02:
            continue
        for i in range(n):
            e = base + PAGE_HEADER + i * 16
            eflags, pos, ksize, vsize = struct.unpack_from("<IIII", b, e)
            vstart = e + pos + ksize
            if eflags & 1 and vsize > 32 and vstart + 32 <= len(b) and struct.unpack_from("<Q", b, vstart)[0] == 0:
                struct.pack_into("<H", b, vstart + 16 + 8, 0x01)
                changed += 1
    assert changed, "no inline bucket to corrupt"
    cases["inline-branch"] = b

    os.makedirs(out, exist_ok=True)
    for name, content in cases.items():
        with open(os.path.join(out, name + ".db"), "wb") as f:
            f.write(content)


main()
