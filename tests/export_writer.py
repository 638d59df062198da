#!/usr/bin/env python3
"""The daemon's debug-endpoint answers written from records, apart from
cachescope: an oracle for tests/debug_export.test, which checks it against
every fixture's store/load answers before it trusts it.

    export_writer.py text RECORDS.json    the text answer (cmd/buildkitd/debug.go)
    export_writer.py json RECORDS.json    the JSON answer, as Go's encoder
                                          (SetIndent "", "  ") writes it

RECORDS.json is a JSON answer ([{"id", "digest", "random", "parents",
"children", "debug"}]) in the order the records are to be printed. What
the daemon leaves to Go's map order is fixed as the fixtures have it
(FORMATS.md): children by output, then ID.
"""
import base64
import json
import struct
import sys

FRAME_DATA, FRAME_SKIP = 2, 3


def plaintext(rec, out):
    """printCacheRecord: the header, sub-record headers, frames, then each sub-record."""
    subs = rec.get("subRecords") or []
    out += b"%s (%s):\n" % (rec["digest"].encode(), rec.get("type", "").encode())
    for sub in subs:
        out += b"  %s (%s):\n" % (sub["digest"].encode(), sub.get("type", "").encode())
    for frame in rec.get("data") or []:
        data = base64.b64decode(frame.get("data") or "")
        if frame["type"] == FRAME_DATA:
            out += b"  data: " + data + b"\n"
        elif frame["type"] == FRAME_SKIP:
            out += b"  skipping %d bytes\n" % struct.unpack("<I", data)[0]
    for sub in subs:
        out += b"\n"
        plaintext(sub, out)


def text(records):
    out = bytearray()
    for rec in records:
        out += b"ID: %d%s\n" % (rec["id"], b" (random)" if rec.get("random") else b"")
        if rec.get("digest"):
            out += b"Digest: %s\n" % rec["digest"].encode()
        parents = sorted(rec.get("parents") or [], key=lambda p: (p["input"], p["digest"]))
        if parents:
            out += b"Parents:\n"
            for p in parents:
                out += b"  Input %d:\t%d\t%s\n" % (p["input"], p["target"], p["digest"].encode())
                if p.get("selector"):
                    out += b"    Selector: %s\n" % p["selector"].encode()
        children = rec.get("children") or {}
        if children:
            out += b"Children:\n"
            for output in sorted(children, key=int):
                ids = sorted(int(i) for i in children[output])
                out += b"  Input %d:\t %s\n" % (int(output), ", ".join(map(str, ids)).encode())
        if rec.get("debug"):
            out += b"Plaintexts:\n"
            for d in rec["debug"]:
                plaintext(d, out)
                out += b"\n"
        out += b"\n"
    return bytes(out)


def go_json(records):
    """json.Encoder with SetIndent("", "  "): HTML-safe escapes, a final newline."""
    s = json.dumps(records, indent=2, ensure_ascii=False, separators=(",", ": "))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(raw, escaped)
    return (s + "\n").encode()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("text", "json"):
        sys.exit(__doc__)
    with open(sys.argv[2], encoding="utf-8") as f:
        records = json.load(f)
    sys.stdout.buffer.write(text(records) if sys.argv[1] == "text" else go_json(records))


main()
