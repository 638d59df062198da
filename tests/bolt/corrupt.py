#!/usr/bin/env python3
"""Writes malformed bbolt files, one per way a file can lie to a reader.

Usage: corrupt.py [--metas] SOURCE.db OUTDIR

Two kinds of output, each named for what is wrong with it:
  - patched copies of SOURCE (a small bbolt file whose root page is a
    leaf of bucket elements, like a fixture's cache.db);
  - files built here from scratch, page by page, for shapes a patch cannot
    reach (a chain of 70 branch pages, a page id that wraps when multiplied
    by the page size, inline buckets that share their bytes). built-valid.db
    is such a file with nothing wrong, to show the builder writes bbolt.
Metas are re-checksummed where the point is a bad number behind a valid
meta. With --metas, only meta0-corrupt.db and meta1-corrupt.db (each with
one meta's checksum broken), which any bbolt file can give.
"""
import os
import struct
import sys

PAGE_HEADER = 16
ELEMENT = 16
BUCKET_HEADER = 16
META_FMT = "<IIII QQ Q Q Q Q"  # magic version pagesize flags root seq freelist pgid txid checksum
MAGIC = 0xED0CDAED
BRANCH, LEAF, META, FREELIST = 0x01, 0x02, 0x04, 0x10
BUCKET = 0x01

# indexes into a meta as read_meta returns it
M_MAGIC, M_VERSION, M_ROOT, M_PGID, M_TXID, M_CHECKSUM = 0, 1, 4, 7, 8, 9


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def read_meta(buf, off):
    return list(struct.unpack_from(META_FMT, buf, off + PAGE_HEADER))


def write_meta(buf, off, m):
    m = list(m)
    m[M_CHECKSUM] = fnv1a64(struct.pack(META_FMT[:-2], *m[:9]))
    struct.pack_into(META_FMT, buf, off + PAGE_HEADER, *m)


def page_size(buf):
    return read_meta(buf, 0)[2]


def current_meta(buf):
    ps = page_size(buf)
    a, b = read_meta(buf, 0), read_meta(buf, ps)
    return (0, a) if a[M_TXID] >= b[M_TXID] else (ps, b)


def set_both_metas(buf, index, value):
    for off in (0, page_size(buf)):
        m = read_meta(buf, off)
        m[index] = value
        write_meta(buf, off, m)


def leaf_elements(buf, base):
    """(offset of element, flags, pos, ksize, vsize) of the leaf page at BASE."""
    count = struct.unpack_from("<H", buf, base + 10)[0]
    out = []
    for i in range(count):
        e = base + PAGE_HEADER + i * ELEMENT
        out.append((e,) + struct.unpack_from("<IIII", buf, e))
    return out


# ---- from scratch -------------------------------------------------------


def page_bytes(ps, pid, flags, count, body, overflow=0):
    data = struct.pack("<QHHI", pid, flags, count, overflow) + body
    span = ps * (overflow + 1)
    assert len(data) <= span, "page %d does not fit" % pid
    return data + bytes(span - len(data))


def leaf_body(items):
    """items: (flags, key, value); laid out as bbolt does, data after elements."""
    elems, data = b"", b""
    start = len(items) * ELEMENT
    for i, (flags, key, value) in enumerate(items):
        pos = start + len(data) - i * ELEMENT
        elems += struct.pack("<IIII", flags, pos, len(key), len(value))
        data += key + value
    return elems + data


def branch_body(items):
    """items: (key, child pgid)"""
    elems, data = b"", b""
    start = len(items) * ELEMENT
    for i, (key, child) in enumerate(items):
        pos = start + len(data) - i * ELEMENT
        elems += struct.pack("<IIQ", pos, len(key), child)
        data += key
    return elems + data


def inline_bucket(items):
    """A bucket value holding its leaf page inline (root 0)."""
    return struct.pack("<QQ", 0, 0) + struct.pack("<QHHI", 0, LEAF, len(items), 0) + leaf_body(items)


def build(ps, pages, root, high_water=None, txid=7):
    """A file of two metas, an empty freelist (page 2) and PAGES {id: bytes}."""
    last = max([2] + [pid + len(data) // ps - 1 for pid, data in pages.items()])
    if high_water is None:
        high_water = last + 1
    out = bytearray(ps * (last + 1))
    for pid, data in pages.items():
        out[pid * ps:pid * ps + len(data)] = data
    out[2 * ps:3 * ps] = page_bytes(ps, 2, FREELIST, 0, b"")
    for pid in (0, 1):
        out[pid * ps:pid * ps + PAGE_HEADER] = struct.pack("<QHHI", pid, META, 0, 0)
        write_meta(out, pid * ps, [MAGIC, 2, ps, 0, root, 0, 2, high_water, txid - 1 + pid, 0])
    return out


def built_cases():
    ps = 1024
    cases = {}
    bucket_page = struct.pack("<QQ", 4, 0)  # a bucket whose root is page 4

    # nothing wrong: one bucket on its own page, one inline, one nested inline
    inner = inline_bucket([(0, b"deep", b"value")])
    cases["built-valid"] = build(ps, {
        3: page_bytes(ps, 3, LEAF, 2, leaf_body([
            (BUCKET, b"inline", inline_bucket([(0, b"a", b"1"), (BUCKET, b"nested", inner)])),
            (BUCKET, b"paged", bucket_page)])),
        4: page_bytes(ps, 4, LEAF, 1, leaf_body([(0, b"k", b"v")])),
    }, root=3)

    # 70 branch pages, each the only child of the one before
    pages = {}
    for pid in range(3, 73):
        pages[pid] = page_bytes(ps, pid, BRANCH, 1, branch_body([(b"k", pid + 1)]))
    pages[73] = page_bytes(ps, 73, LEAF, 0, b"")
    cases["built-branch-chain-70-deep"] = build(ps, pages, root=3)

    # a child id that wraps to 0 when multiplied by the page size (2^54 * 2^10)
    cases["built-pgid-wraps"] = build(ps, {
        3: page_bytes(ps, 3, BRANCH, 1, branch_body([(b"k", 1 << 54)])),
    }, root=3, high_water=1 << 63)

    # page 4 spans pages 4 and 5 (overflow 1) and page 5 is also a child
    p4 = page_bytes(ps, 4, LEAF, 0, b"", overflow=1)
    p4 = p4[:ps] + page_bytes(ps, 5, LEAF, 0, b"")
    cases["built-overflow-overlaps-page"] = build(ps, {
        3: page_bytes(ps, 3, BRANCH, 2, branch_body([(b"a", 4), (b"b", 5)])),
        4: p4,
    }, root=3)

    # a branch page with no elements
    cases["built-empty-branch"] = build(ps, {3: page_bytes(ps, 3, BRANCH, 0, b"")}, root=3)

    # a bucket element whose value is shorter than a bucket header
    cases["built-bucket-value-short"] = build(ps, {
        3: page_bytes(ps, 3, LEAF, 1, leaf_body([(BUCKET, b"b", b"\0" * 8)])),
    }, root=3)

    # an inline bucket too short to hold a page header
    cases["built-inline-too-short"] = build(ps, {
        3: page_bytes(ps, 3, LEAF, 1, leaf_body([(BUCKET, b"b", b"\0" * 16 + b"\2\0")])),
    }, root=3)

    # a bucket rooted at a meta page
    cases["built-bucket-at-meta"] = build(ps, {
        3: page_bytes(ps, 3, LEAF, 1, leaf_body([(BUCKET, b"b", struct.pack("<QQ", 1, 0))])),
    }, root=3)

    # element 1's key starts inside element 0's value
    body = bytearray(leaf_body([(0, b"a", b"0123456789"), (0, b"b", b"x")]))
    struct.pack_into("<I", body, ELEMENT + 4, 2 * ELEMENT + 5 - ELEMENT)
    cases["built-elements-overlap"] = build(ps, {3: page_bytes(ps, 3, LEAF, 2, bytes(body))}, root=3)

    # inline buckets that share their bytes: each level's 8 elements are all
    # the same nested bucket, 14 levels deep, 8^14 visits for a reader that
    # does not insist on disjoint values
    fan, levels = 8, 14
    stride = 2 * PAGE_HEADER + fan * ELEMENT
    blob = bytearray(levels * stride + PAGE_HEADER)
    for level in range(levels + 1):
        at = level * stride  # this level's page header, inside the bucket value
        n = fan if level < levels else 0
        struct.pack_into("<QHHI", blob, at, 0, LEAF, n, 0)
        value_at = at + stride - BUCKET_HEADER  # the next level's bucket header
        for i in range(n):
            e = at + PAGE_HEADER + i * ELEMENT
            struct.pack_into("<IIII", blob, e, BUCKET, value_at - e, 0, len(blob) - value_at)
    fanout = struct.pack("<QQ", 0, 0) + bytes(blob)
    cases["built-inline-fanout"] = build(4096, {
        3: page_bytes(4096, 3, LEAF, 1, leaf_body([(BUCKET, b"fan", fanout)])),
    }, root=3)
    return cases



# ---- patched copies of SOURCE -------------------------------------------


def meta_cases(data):
    """One meta broken (its checksum): the other must carry the read."""
    ps = page_size(data)
    cases = {}
    for which in (0, 1):
        b = bytearray(data)
        struct.pack_into("<Q", b, which * ps + PAGE_HEADER + 56, 1)
        cases["meta%d-corrupt" % which] = b
    return cases


def patched_cases(data):
    ps = page_size(data)
    root = current_meta(data)[1][M_ROOT]
    rbase = root * ps
    elems = leaf_elements(data, rbase)
    assert elems, "the source's root page must be a leaf with elements"
    cases = {}

    def copy():
        return bytearray(data)

    cases["empty"] = bytearray()
    cases["truncated-100-bytes"] = data[:100]
    cases["truncated-mid-tree"] = data[:ps * 3 + 100]

    b = copy()
    for off in (0, ps):
        struct.pack_into("<I", b, off + PAGE_HEADER, 0x12345678)
    cases["bad-magic-both"] = b

    b = copy()
    set_both_metas(b, M_VERSION, 3)
    cases["bad-version-both"] = b

    b = copy()
    for off in (0, ps):
        struct.pack_into("<Q", b, off + PAGE_HEADER + 56, 0)
    cases["bad-checksum-both"] = b

    b = copy()
    set_both_metas(b, M_ROOT, read_meta(b, 0)[M_PGID] + 5)
    cases["root-beyond-high-water"] = b

    b = copy()
    set_both_metas(b, M_PGID, 1 << 40)
    cases["claims-2-40-pages"] = b

    b = copy()
    struct.pack_into("<H", b, rbase + 8, 0x77)
    cases["flags-garbage"] = b

    b = copy()
    struct.pack_into("<Q", b, rbase, root + 1)
    cases["page-id-mismatch"] = b

    b = copy()
    struct.pack_into("<I", b, rbase + 12, 0xFFFFFFFF)
    cases["overflow-past-end"] = b

    b = copy()
    struct.pack_into("<H", b, rbase + 10, 0xFFFF)
    cases["count-past-page"] = b

    # the last element's pos, ksize or vsize runs past the page
    e = elems[-1][0]
    for field, at in (("pos", 4), ("ksize", 8), ("vsize", 12)):
        b = copy()
        struct.pack_into("<I", b, e + at, 0x7FFFFFF0)
        cases["element-%s-past-page" % field] = b

    # the root page becomes a branch whose only element points at itself
    b = copy()
    struct.pack_into("<HH", b, rbase + 8, BRANCH, 1)
    struct.pack_into("<IIQ", b, rbase + PAGE_HEADER, 16, 1, root)
    b[rbase + 2 * PAGE_HEADER] = ord("a")
    cases["branch-cycle"] = b

    # the last two buckets (_links and _result in a cache.db) share a root page
    paged = [el for el in elems if el[1] & BUCKET and struct.unpack_from("<Q", data, el[0] + el[2] + el[3])[0]]
    assert len(paged) >= 2, "the source's root page needs two buckets with pages of their own"
    b = copy()
    shared = struct.unpack_from("<Q", b, paged[-2][0] + paged[-2][2] + paged[-2][3])[0]
    struct.pack_into("<Q", b, paged[-1][0] + paged[-1][2] + paged[-1][3], shared)
    cases["buckets-share-page"] = b

    # every inline bucket in the file claims to hold a branch page
    b = copy()
    changed = 0
    for page in range(2, len(b) // ps):
        base = page * ps
        if struct.unpack_from("<QH", b, base)[1] != LEAF or struct.unpack_from("<Q", b, base)[0] != page:
            continue
        for e, eflags, pos, ksize, vsize in leaf_elements(b, base):
            value = e + pos + ksize
            if eflags & BUCKET and vsize >= 32 and struct.unpack_from("<Q", b, value)[0] == 0:
                struct.pack_into("<H", b, value + BUCKET_HEADER + 8, BRANCH)
                changed += 1
    assert changed, "no inline bucket to corrupt"
    cases["inline-branch"] = b
    return cases


def main():
    args = sys.argv[1:]
    metas_only = args[:1] == ["--metas"]
    if metas_only:
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    src, out = args
    with open(src, "rb") as f:
        data = bytes(f.read())
    cases = meta_cases(data)
    if not metas_only:
        cases.update(patched_cases(data))
        cases.update(built_cases())
    os.makedirs(out, exist_ok=True)
    for name, content in cases.items():
        with open(os.path.join(out, name + ".db"), "wb") as f:
            f.write(content)


if __name__ == "__main__":
    main()
