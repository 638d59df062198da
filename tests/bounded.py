#!/usr/bin/env python3
"""Inputs built to exhaust a reader, and a runner that limits and measures.

    bounded.py pgid CACHE_DB OUT PGID
        CACHE_DB with both metas claiming PGID pages (checksums fixed)
    bounded.py config-cyclic N OUT | config-chain N OUT
        a cache config of N records: each linking to the next, the last
        back to the first (no root, one loop); or a chain from one root
    bounded.py deep-array N OUT
        N nested JSON arrays
    bounded.py deep-export N OUT
        a /debug/cache/store JSON answer whose plaintext nests N sub-records
    bounded.py config-colliding N OUT
        a chain of N records whose digests share their first 16 bytes
    bounded.py deep-config N OUT
        a cache config with N nested arrays in a member nobody reads
    bounded.py deep-oci LAYOUT WHICH N OUTDIR
        a copy of an OCI layout with one JSON object replaced by N nested
        arrays, and every digest and size above it fixed: WHICH is index
        (index.json), manifest, config (the image config), inline (the
        cache records inside the image config) or cacheconfig (the
        cacheconfig blob of an image index layout)
    bounded.py big-export SIZE DIGEST OUT
        a JSON answer with one record whose plaintext is SIZE bytes
    bounded.py has-data FILE SIZE
        exit 0 when FILE has the line "  data: " followed by SIZE bytes of
        0123456789abcdef... (the big plaintexts' data, as dump prints it)
    bounded.py run LIMIT_BYTES OUT ERR COMMAND...
        runs COMMAND with its address space limited (as ulimit -v; 0: no
        limit) for at most 60 s; prints "STATUS SECONDS PEAK_RSS_MB"
"""
import base64
import hashlib
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import time


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def pgid(path, out, pages):
    data = bytearray(open(path, "rb").read())
    page_size = struct.unpack_from("<I", data, 16 + 8)[0]
    for page in (0, page_size):
        meta = page + 16  # after the page header
        struct.pack_into("<Q", data, meta + 40, pages)
        struct.pack_into("<Q", data, meta + 56, fnv1a64(bytes(data[meta:meta + 56])))
    open(out, "wb").write(data)


def digest(i):
    return "sha256:" + hashlib.sha256(b"record %d" % i).hexdigest()


def colliding_digest(i):
    """Digests alike in their first 16 bytes: a table slotted by a prefix
    chains every probe."""
    return "sha256:" + "0" * 32 + hashlib.sha256(b"record %d" % i).hexdigest()[:32]


def config(n, out, cyclic, name=digest):
    with open(out, "w") as f:
        f.write('{"layers":[],"records":[')
        for i in range(n):
            if i:
                f.write(",")
            if cyclic:
                f.write('{"digest":"%s","inputs":[[{"link":%d}]]}' % (name(i), (i + 1) % n))
            elif i == 0:
                f.write('{"digest":"%s"}' % name(0))
            else:
                f.write('{"digest":"%s","inputs":[[{"link":%d}]]}' % (name(i), i - 1))
        f.write("]}")


def deep(n):
    return "[" * n + "]" * n


def deep_export(n, out):
    d = digest(0)
    level = '{"digest":"%s","type":"string","subRecords":[' % d
    with open(out, "w") as f:
        f.write('[{"id":1,"digest":"%s","debug":[' % d)
        for _ in range(n):
            f.write(level)
        f.write("]}" * n)
        f.write("]}]\n")


def blob_path(layout, dgst):
    return os.path.join(layout, "blobs", "sha256", dgst.split(":", 1)[1])


def put_blob(layout, data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blob_path(layout, d), "wb") as f:
        f.write(data)
    return d


def descriptors(node):
    """Every dict in NODE that looks like an OCI descriptor."""
    if isinstance(node, dict):
        if isinstance(node.get("digest"), str) and "size" in node:
            yield node
        for v in node.values():
            yield from descriptors(v)
    elif isinstance(node, list):
        for v in node:
            yield from descriptors(v)


def json_files(layout):
    """index.json and every blob that is a JSON object: path -> parsed."""
    found = {}
    paths = [os.path.join(layout, "index.json")]
    blobs = os.path.join(layout, "blobs", "sha256")
    paths += [os.path.join(blobs, b) for b in sorted(os.listdir(blobs))]
    for p in paths:
        try:
            found[p] = json.loads(open(p, "rb").read())
        except (ValueError, UnicodeDecodeError, RecursionError):
            pass
    return found


def replace_blob(layout, old, new_bytes):
    """Puts NEW_BYTES where blob OLD was, then fixes every descriptor up the chain."""
    changed = {old: (put_blob(layout, new_bytes), len(new_bytes))}
    os.remove(blob_path(layout, old))
    while changed:
        nxt = {}
        for path, obj in json_files(layout).items():
            hit = False
            for desc in descriptors(obj):
                if desc["digest"] in changed:
                    desc["digest"], desc["size"] = changed[desc["digest"]]
                    hit = True
            if not hit:
                continue
            data = json.dumps(obj, indent=2).encode()
            if os.path.basename(path) == "index.json":
                open(path, "wb").write(data)
            else:
                old_digest = "sha256:" + os.path.basename(path)
                os.remove(path)
                nxt[old_digest] = (put_blob(layout, data), len(data))
        changed = nxt


def find_blob(layout, media_type=None, config_of_manifest=False, key=None):
    """A blob digest: by descriptor media type, the image config, or the blob holding KEY."""
    files = json_files(layout)
    for obj in files.values():
        for desc in descriptors(obj):
            if media_type and desc.get("mediaType") == media_type:
                return desc["digest"]
        if config_of_manifest and isinstance(obj, dict) and isinstance(obj.get("config"), dict):
            return obj["config"]["digest"]
    for path, obj in files.items():
        if key and isinstance(obj, dict) and key in obj:
            return "sha256:" + os.path.basename(path)
    raise SystemExit("no such blob in " + layout)


def deep_oci(layout, which, n, outdir):
    shutil.copytree(layout, outdir)
    nested = deep(n).encode()
    if which == "index":
        open(os.path.join(outdir, "index.json"), "wb").write(nested)
    elif which == "manifest":
        replace_blob(outdir, find_blob(outdir, media_type="application/vnd.oci.image.manifest.v1+json"),
                     nested)
    elif which == "config":
        replace_blob(outdir, find_blob(outdir, config_of_manifest=True), nested)
    elif which == "inline":
        old = find_blob(outdir, key="moby.buildkit.cache.v0")
        cfg = json.loads(open(blob_path(outdir, old), "rb").read())
        cfg["moby.buildkit.cache.v0"] = base64.b64encode(nested).decode()
        replace_blob(outdir, old, json.dumps(cfg).encode())
    elif which == "cacheconfig":
        replace_blob(outdir, find_blob(outdir, media_type="application/vnd.buildkit.cacheconfig.v0"),
                     nested)
    else:
        raise SystemExit("deep-oci: which? " + which)


def big_export(size, dgst, out):
    """One record; its plaintext's data frame is SIZE bytes, base64 written in pieces."""
    chunk = b"0123456789abcdef" * (3 * 4096)  # a multiple of 3: pieces join cleanly
    with open(out, "wb") as f:
        f.write(('[{"id":1,"digest":"%s","debug":[{"digest":"%s","type":"string","data":'
                 '[{"type":2,"data":"' % (dgst, dgst)).encode())
        left = size
        while left > 0:
            piece = chunk[:min(left, len(chunk))]  # only the last may need padding
            f.write(base64.b64encode(piece))
            left -= len(piece)
        f.write(b'"}]}]}]\n')


def has_data(path, size):
    want = b"  data: " + (b"0123456789abcdef" * (size // 16 + 1))[:size] + b"\n"
    with open(path, "rb") as f:
        for line in f:
            if line == want:
                return 0
    return 1


def run(limit, out, err, command):
    def restrict():
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    start = time.monotonic()
    with open(out, "wb") as o, open(err, "wb") as e:
        try:
            status = subprocess.run(command, stdout=o, stderr=e, preexec_fn=restrict,
                                    timeout=60).returncode
        except subprocess.TimeoutExpired:
            status = 124
    if status < 0:  # a signal, as a shell reports it
        status = 128 - status
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(status, "%.2f" % (time.monotonic() - start), peak)


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "pgid":
        pgid(a[1], a[2], int(a[3]))
    elif len(a) == 3 and a[0] in ("config-cyclic", "config-chain"):
        config(int(a[1]), a[2], a[0] == "config-cyclic")
    elif len(a) == 3 and a[0] == "config-colliding":
        config(int(a[1]), a[2], False, colliding_digest)
    elif len(a) == 3 and a[0] == "deep-array":
        open(a[2], "w").write(deep(int(a[1])))
    elif len(a) == 3 and a[0] == "deep-export":
        deep_export(int(a[1]), a[2])
    elif len(a) == 3 and a[0] == "deep-config":
        open(a[2], "w").write('{"layers":[],"records":[],"x":%s}' % deep(int(a[1])))
    elif len(a) == 5 and a[0] == "deep-oci":
        deep_oci(a[1], a[2], int(a[3]), a[4])
    elif len(a) == 4 and a[0] == "big-export":
        big_export(int(a[1]), a[2], a[3])
    elif len(a) == 3 and a[0] == "has-data":
        sys.exit(has_data(a[1], int(a[2])))
    elif len(a) >= 5 and a[0] == "run":
        run(int(a[1]), a[2], a[3], a[4:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
