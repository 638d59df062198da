#!/usr/bin/env python3
"""bbolt files at each bound our reader checks (core/bolt.c), and one byte
(or one page, one element, one level) past it.

Usage: boundary.py SOURCE.db OUTDIR

SOURCE is a fixture's cache.db (seed-6076's: root leaf page 8 listing four
buckets on pages 4-7, 16 pages of 4096 bytes, high water 10). Its patches
change _links (page 6), the bucket cachescope walks, so that cachescope
refuses them too; the root page it only looks names up in. For each
bound NAME, OUTDIR gets

  NAME.at.db     the file at the bound, and either
  NAME.at.jsonl  its listing, as boltcheck would print it (the file loads), or
  NAME.at.err    a regex its one-line refusal matches, where no file at the
                 bound can load (the bound only changes which error it is);
  NAME.past.db   the same file past the bound, and
  NAME.past.err  a regex its one-line refusal matches;
  NAME.get       (some) "BUCKET KEYHEX VALUEHEX": a lookup at.db answers
                 with VALUEHEX, and past.db refuses with past.err.

OUTDIR/cases lists them, one "NAME<TAB>KIND<TAB>BBOLT<TAB>WHAT" a line:
KIND is "store" for a patched SOURCE (a cache store cachescope reads:
at.db dumps as the fixture's store.txt) and "built" for a file built page
by page; BBOLT is "yes" when the real bbolt (Debian's, through boltcheck)
lists at.db as at.jsonl says, "no" where it cannot: it has no search for
the second meta.

The bounds, as core/bolt.c checks them:
  read_meta / explain_no_meta  a meta needs 80 bytes (header + meta)
  page_size_usable             a page size of 80 (a meta's size) or more
  find_page_size               bbolt's search for the second meta: at 1 KiB << 0..14
                               (16 MiB the last), and only below size - 1 KiB
  attach                       two pages at least; root in [2, high water) and
                               below the file's end
  load_page                    a tree page is 2 or more, below the high water,
                               below the file's end, and its overflow ends in the file
  enter_page                   ... and within the pages in use
  check_tree_page              as many elements as fit after the header
  inline_page                  an inline page holds a page header (16 bytes)
  branch_element               a branch key ends in its page
  leaf_element                 a leaf key and value end in their page, start
                               after the data before them, and a bucket value
                               holds a bucket header (16 bytes)
  walk_page / bolt_get         64 levels of branch pages at most
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corrupt import (BRANCH, BUCKET, ELEMENT, FREELIST, LEAF, MAGIC, META, M_PGID, M_ROOT,  # noqa: E402
                     PAGE_HEADER, branch_body, inline_bucket, leaf_body, leaf_elements, page_bytes,
                     read_meta, set_both_metas, write_meta)

META_END = PAGE_HEADER + 64
BUCKET_HEADER = 16
LINKS = 6  # _links' page in seed-6076's cache.db


# ---- building files -------------------------------------------------------


def metas(out, ps, root, high_water, freelist, txid=7, offsets=(0, 1)):
    for pid in offsets:
        struct.pack_into("<QHHI", out, pid * ps, pid, META, 0, 0)
        write_meta(out, pid * ps, [MAGIC, 2, ps, 0, root, 0, freelist, high_water, txid - 1 + pid, 0])


def build(ps, pages, root, high_water=None, freelist=2):
    """Two metas, an empty freelist and PAGES {id: bytes}; 4096 bytes at
    least (zero pages above the high water mark), which Debian's bbolt
    reads before it knows the page size."""
    last = max([freelist] + [pid + len(data) // ps - 1 for pid, data in pages.items()])
    npages = max(last + 1, -(-4096 // ps))
    out = bytearray(ps * npages)
    for pid, data in pages.items():
        out[pid * ps:pid * ps + len(data)] = data
    out[freelist * ps:freelist * ps + PAGE_HEADER] = struct.pack("<QHHI", freelist, FREELIST, 0, 0)
    metas(out, ps, root, high_water if high_water is not None else last + 1, freelist)
    return out


def leaf(ps, pid, items, overflow=0):
    return page_bytes(ps, pid, LEAF, len(items), leaf_body(items), overflow)


def listing(items, path=()):
    """boltcheck's lines for ITEMS: (flags, key, value) with a bucket's value
    given as its items."""
    out = []
    for flags, key, value in items:
        line = {"path": list(path), "key": key.hex()}
        if flags & BUCKET:
            line["bucket"] = True
            out.append(json.dumps(line, separators=(",", ":")))
            out += listing(value, path + (key.decode(),))
        else:
            line["value"] = value.hex()
            out.append(json.dumps(line, separators=(",", ":")))
    return out


def nested(items):
    """ITEMS with every bucket's items stored inline, for leaf_body."""
    return [(f, k, inline_bucket(nested(v)) if f & BUCKET else v) for f, k, v in items]


# ---- the cases ------------------------------------------------------------

CASES = []


def case(name, kind, what, at, past, at_listing=None, at_err=None, past_err=None, get=None):
    CASES.append((name, kind, what, at, past, at_listing, at_err, past_err, get))


def bbolt_reads(name):
    """Debian's bbolt lists at.db (checked by bolt.test): not when only the second meta can say the page size."""
    return "no" if name.startswith("second-meta") else "yes"


def with_both_metas(data, index, value):
    b = bytearray(data)
    set_both_metas(b, index, value)
    return b


def move_page(data, ps, src, dst, overflow=0):
    """A copy of DATA with page SRC also at DST (its id and overflow set)."""
    b = bytearray(data)
    b[dst * ps:(dst + 1) * ps] = data[src * ps:(src + 1) * ps]
    struct.pack_into("<Q", b, dst * ps, dst)
    struct.pack_into("<I", b, dst * ps + 12, overflow)
    return b


def free(b, ps, ids):
    """Adds IDS to the current meta's freelist, as bbolt would have freed
    them: its consistency check wants every page below the high water
    mark reachable or free."""
    at = read_meta(b, 0)[6] * ps  # meta 0 is the newer one in the fixture
    count = struct.unpack_from("<H", b, at + 10)[0]
    have = list(struct.unpack_from("<%dQ" % count, b, at + PAGE_HEADER))
    new = sorted(set(have) | set(ids))
    struct.pack_into("<H", b, at + 10, len(new))
    struct.pack_into("<%dQ" % len(new), b, at + PAGE_HEADER, *new)


def set_bucket_root(b, page_base, key, root):
    for e, flags, pos, ksize, vsize in leaf_elements(b, page_base):
        if flags & BUCKET and bytes(b[e + pos:e + pos + ksize]) == key:
            struct.pack_into("<Q", b, e + pos + ksize, root)
            return
    raise KeyError(key)


def store_cases(src, listing_lines):
    """Patches of SOURCE (seed-6076's cache.db); at.db keeps its contents."""
    ps = read_meta(src, 0)[2]
    root = read_meta(src, 0)[M_ROOT]  # meta 0 is the newer one in the fixture
    high = read_meta(src, 0)[M_PGID]
    pages = len(src) // ps
    rbase = root * ps
    assert (ps, root, high, pages) == (4096, 8, 10, 16), "the source is seed-6076's cache.db"

    def store(name, what, at, past, past_err, at_err=None):
        case(name, "store", what, at, past, None if at_err else listing_lines, at_err, past_err)

    store("meta-size", "a meta needs 80 bytes: 80 give the page size, 79 do not",
          src[:META_END], src[:META_END - 1], "truncated \\(79 bytes\\)$",
          at_err="truncated \\(80 bytes, page size 4096\\)$")
    store("two-pages", "two pages at least: 8192 bytes pass that check, 8191 do not",
          src[:2 * ps], src[:2 * ps - 1], "truncated \\(8191 bytes, page size 4096\\)$",
          at_err="page 8 is beyond the end of the file$")

    # the root page is the last under the high water mark, then is not
    store("root-high-water", "the root page is the last below the high water mark (9), then at it (8)",
          with_both_metas(src, M_PGID, root + 1), with_both_metas(src, M_PGID, root),
          "root page 8 is outside the 8 pages in use$")

    # the root page is the file's last page, then the file is a byte short
    b = move_page(src, ps, root, pages - 1)
    set_both_metas(b, M_ROOT, pages - 1)
    set_both_metas(b, M_PGID, pages)
    free(b, ps, [root] + list(range(high, pages - 1)))
    store("root-file-end", "the root page is the file's last page, then the file is one byte short",
          b, b[:-1], "page 15 is beyond the end of the file$")

    # a bucket's page is the last below the high water mark, then at it
    b = move_page(src, ps, LINKS, 10)
    set_bucket_root(b, rbase, b"_links", 10)
    free(b, ps, [LINKS])
    store("page-high-water", "a bucket's page is the last below the high water mark, then at it",
          with_both_metas(b, M_PGID, 11), with_both_metas(b, M_PGID, 10),
          "page 10 is outside the 10 pages in use$")

    # a bucket's page is the file's last page, then the file is a byte short
    b = move_page(src, ps, LINKS, pages - 1)
    set_bucket_root(b, rbase, b"_links", pages - 1)
    set_both_metas(b, M_PGID, pages)
    free(b, ps, [LINKS] + list(range(high, pages - 1)))
    store("page-file-end", "a bucket's page is the file's last page, then the file is one byte short",
          b, b[:-1], "page 15 is beyond the end of the file$")

    # a bucket's page overflows to the file's last page, then the file is a byte short
    b = move_page(src, ps, LINKS, 10, overflow=5)
    set_bucket_root(b, rbase, b"_links", 10)
    set_both_metas(b, M_PGID, pages)
    free(b, ps, [LINKS])
    store("overflow-file-end", "a page's overflow ends at the file's end, then the file is one byte short",
          b, b[:-1], "page 10 overflows past the end of the file \\(5 more pages\\)$")
    store("overflow-high-water", "a page's overflow ends at the high water mark (16), then past it (15)",
          b, with_both_metas(b, M_PGID, pages - 1), "page 10 runs past the 15 pages in use$")

    # _links' last element ends at its page's end, then a byte past it
    lbase = LINKS * ps
    elems = leaf_elements(src, lbase)
    e, flags, pos, ksize, vsize = elems[-1]
    data = src[e + pos:e + pos + ksize + vsize]
    at = bytearray(src)
    start = lbase + ps - len(data)
    at[start:start + len(data)] = data
    struct.pack_into("<I", at, e + 4, start - e)
    past = bytearray(at)
    struct.pack_into("<I", past, e + 4, start - e + 1)
    store("leaf-element-end", "a leaf's last key and value end at the page's end, then one byte past it",
          at, past, "page 6: element 2 runs past the page$")

    # the last element starts right after the one before it (as bbolt writes), then a byte inside it
    past = bytearray(src)
    struct.pack_into("<I", past, e + 4, pos - 1)
    store("leaf-element-overlap", "a leaf's key starts where the value before it ends, then one byte before",
          bytearray(src), past, "page 6: element 2 overlaps the data before it$")

    # an inline bucket of a bare page header (_links holds an empty one), then a byte shorter
    links = next(el for el in leaf_elements(src, LINKS * ps) if el[4] == BUCKET_HEADER + PAGE_HEADER)
    past = bytearray(src)
    struct.pack_into("<I", past, links[0] + 12, links[4] - 1)
    store("inline-length", "an empty inline bucket is its 16-byte page header, then 15 bytes",
          bytearray(src), past, "an inline bucket is too short \\(15 bytes\\)$")



def built_cases():
    ps = 1024
    kv = [(0, b"k", b"v")]

    # page size: a meta's 80 bytes fit in a page of 80; 79 cannot be the page size
    for size, label in ((80, "at"), (79, "past")):
        out = bytearray(size * -(-4096 // size))
        out[3 * size:4 * size] = leaf(size, 3, [(BUCKET, b"b", struct.pack("<QQ", 4, 0))])
        out[4 * size:5 * size] = leaf(size, 4, kv)
        out[2 * size:2 * size + PAGE_HEADER] = struct.pack("<QHHI", 2, FREELIST, 0, 0)
        # meta 1 first: at 79 it overlaps meta 0's end, which must stay whole
        metas(out, size, 3, 5, 2, offsets=(1,))
        metas(out, size, 3, 5, 2, offsets=(0,))
        if label == "at":
            at = out
        else:
            past = out
    case("page-size-min", "built", "a page of 80 bytes holds a meta, 79 does not",
         at, past, listing([(BUCKET, b"b", kv)]), past_err="both meta pages are invalid$")

    # bbolt's search for the second meta when the first is broken: a page
    # of 16 MiB (1 KiB << 14) is found, 32 MiB is not looked for
    def sparse(shift):
        return {"ps": 1024 << shift, "pages": {3: leaf(1024, 3, [(BUCKET, b"b", inline_bucket(kv))])},
                "root": 3, "npages": 4, "break_meta0": True}
    at, past = sparse(14), sparse(15)
    case("second-meta-search", "built", "meta 0 broken: meta 1 found at 16 MiB (the last place bbolt looks), not at 32 MiB",
         at, past, listing([(BUCKET, b"b", kv)]), past_err="both meta pages are invalid$")

    # ... and only below the file's size less 1 KiB: at 1024 in a file of 2049 bytes, not of 2048
    def second_meta_only(size):
        out = bytearray(size)
        metas(out, 1024, 3, 4, 2)
        struct.pack_into("<Q", out, PAGE_HEADER + 56, 1)  # meta 0's checksum
        return out
    case("second-meta-end", "built", "meta 0 broken: meta 1 at 1024 is read in a file of 2049 bytes, not 2048",
         second_meta_only(2049), second_meta_only(2048), None, "page 3 is beyond the end of the file$",
         "both meta pages are invalid$")

    # the root page is page 2 (the freelist elsewhere), then a meta page
    at = build(ps, {2: leaf(ps, 2, nested([(BUCKET, b"b", kv)]))}, root=2, freelist=3)
    past = build(ps, {2: leaf(ps, 2, nested([(BUCKET, b"b", kv)]))}, root=2, freelist=3)
    set_both_metas(past, M_ROOT, 1)
    case("root-low", "built", "the root is page 2, the first after the metas, then page 1",
         at, past, listing([(BUCKET, b"b", kv)]), past_err="root page 1 is outside the 4 pages in use$")

    # a bucket's page is page 2, then page 1 (a meta)
    def bucket_at(page):
        return build(ps, {2: leaf(ps, 2, kv), 4: leaf(ps, 4, [(BUCKET, b"b", struct.pack("<QQ", page, 0))])},
                     root=4, freelist=3)
    case("page-low", "built", "a bucket's page is page 2, the first after the metas, then page 1",
         bucket_at(2), bucket_at(1), listing([(BUCKET, b"b", kv)]),
         past_err="page 1 is a meta page, not a tree page$")

    # a bucket value of a bucket header (16 bytes), then 15
    def bucket_value(n):
        value = struct.pack("<QQ", 4, 0)[:n]
        return build(ps, {3: leaf(ps, 3, [(BUCKET, b"b", value)]), 4: leaf(ps, 4, kv)}, root=3)
    case("bucket-value-length", "built", "a bucket value is a 16-byte bucket header, then 15 bytes",
         bucket_value(16), bucket_value(15), listing([(BUCKET, b"b", kv)]),
         past_err="page 3: element 0 is a bucket of 15 bytes, too short$")

    # as many elements as fit after the page header (15 in 256 bytes, keys
    # and values empty, all at the page's end), then one more
    def elements(n, ps=256):
        body = bytearray(ELEMENT * n)
        for i in range(n):
            struct.pack_into("<I", body, i * ELEMENT + 4, ps - PAGE_HEADER - i * ELEMENT)
        page = struct.pack("<QHHI", 4, LEAF, n, 0) + bytes(body[:ps - PAGE_HEADER])
        page += bytes(ps - len(page))
        return build(ps, {3: leaf(ps, 3, [(BUCKET, b"b", struct.pack("<QQ", 4, 0))]), 4: page}, root=3)
    case("element-count", "built", "a page of 256 bytes claims the 15 elements that fit, then 16",
         elements(15), elements(16), listing([(BUCKET, b"b", [(0, b"", b"")] * 15)]),
         past_err="page 4 claims 16 elements, more than fit$")

    # a branch page's last key ends at the page's end, then a byte past it
    def branch_end(extra):
        body = bytearray(branch_body([(b"a", 4), (b"z", 5)]))
        at = PAGE_HEADER + ELEMENT  # element 1
        struct.pack_into("<I", body, ELEMENT, ps - 1 - at + extra)
        page = bytearray(page_bytes(ps, 3, BRANCH, 2, bytes(body)))
        page[ps - 1] = ord("z")
        return build(ps, {3: bytes(page),
                          4: leaf(ps, 4, nested([(BUCKET, b"a", kv)])),
                          5: leaf(ps, 5, nested([(BUCKET, b"z", [(0, b"k2", b"v2")])]))}, root=3)
    case("branch-element-end", "built", "a branch page's last key ends at the page's end, then one byte past it",
         branch_end(0), branch_end(1), listing([(BUCKET, b"a", kv), (BUCKET, b"z", [(0, b"k2", b"v2")])]),
         past_err="page 3: element 1 runs past the page$", get="z 6b32 7632")

    # 64 levels of branch pages above a leaf, then 65
    def chain(levels):
        pages = {}
        for i in range(levels):
            pages[3 + i] = page_bytes(ps, 3 + i, BRANCH, 1, branch_body([(b"b", 4 + i)]))
        pages[3 + levels] = leaf(ps, 3 + levels, nested([(BUCKET, b"b", kv)]))
        return build(ps, pages, root=3)
    case("tree-depth", "built", "64 levels of branch pages above the leaf, then 65",
         chain(64), chain(65), listing([(BUCKET, b"b", kv)]),
         past_err="page [0-9]+: tree deeper than 64 levels$", get="b 6b 76")


def write_sparse(path, spec):
    """A file of SPEC's pages at a page size of many MiB, holes between them."""
    ps, npages = spec["ps"], spec["npages"]
    with open(path, "wb") as f:
        f.truncate(ps * npages)
        head = bytearray(PAGE_HEADER + 64)
        for pid in (0, 1):
            struct.pack_into("<QHHI", head, 0, pid, META, 0, 0)
            write_meta(head, 0, [MAGIC, 2, ps, 0, spec["root"], 0, 2, npages, 6 + pid, 0])
            if pid == 0 and spec.get("break_meta0"):
                struct.pack_into("<Q", head, PAGE_HEADER + 56, 1)
            f.seek(pid * ps)
            f.write(head)
        f.seek(2 * ps)
        f.write(struct.pack("<QHHI", 2, FREELIST, 0, 0))
        for pid, data in spec["pages"].items():
            page = bytearray(data)
            struct.pack_into("<Q", page, 0, pid)
            f.seek(pid * ps)
            f.write(page.rstrip(b"\0"))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src_path, out = sys.argv[1:]
    with open(src_path, "rb") as f:
        src = f.read()
    with open(os.path.splitext(src_path)[0] + ".boltcheck.jsonl") as f:
        src_listing = f.read().splitlines()
    store_cases(src, src_listing)
    built_cases()
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "cases"), "w") as cases:
        for name, kind, what, at, past, at_listing, at_err, past_err, get in CASES:
            cases.write("%s\t%s\t%s\t%s\n" % (name, kind, bbolt_reads(name) if at_listing else "no", what))
            for label, content in (("at", at), ("past", past)):
                path = os.path.join(out, "%s.%s.db" % (name, label))
                if isinstance(content, dict):
                    write_sparse(path, content)
                else:
                    with open(path, "wb") as f:
                        f.write(content)
            for suffix, text in ((".at.err", at_err), (".past.err", past_err), (".get", get)):
                if text:
                    with open(os.path.join(out, name + suffix), "w") as f:
                        f.write(text + "\n")
            if at_listing is not None:
                with open(os.path.join(out, name + ".at.jsonl"), "w") as f:
                    f.write("".join(line + "\n" for line in at_listing))


if __name__ == "__main__":
    main()
