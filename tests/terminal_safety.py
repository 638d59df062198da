#!/usr/bin/env python3
"""The terminal-safety test's data and its judge.

    terminal_safety.py corpus OUTDIR EXPORT_JSON
        writes the hostile sequences (OUTDIR/seq-NAME, raw bytes), one type
        and one data file for a crafted cache-debug.db entry (OUTDIR/type,
        OUTDIR/data), and OUTDIR/evil.json: EXPORT_JSON (a /debug/cache/store
        JSON answer) with every plaintext's type and data replaced by
        hostile ones.
    terminal_safety.py check FILE
        exit 0 when FILE holds nothing a terminal would act on: valid UTF-8
        with no ESC, no C0 control but newline and tab, no DEL, no C1
        control (U+0080..U+009F), no bidi control, line/paragraph separator
        or BOM. Otherwise prints what it found first.
    terminal_safety.py contains FILE SEQ_FILE...
        exit 0 when FILE holds the bytes of every SEQ_FILE, raw.
"""
import base64
import json
import os
import sys

# name -> bytes: each a way untrusted data could take over a terminal
SEQUENCES = {
    "c0": bytes(range(0x00, 0x20)),
    "nul": b"a\x00b",
    "del": b"a\x7fb",
    "c1-raw": bytes(range(0x80, 0xA0)),
    "c1-utf8": "".join(chr(c) for c in range(0x80, 0xA0)).encode(),
    "csi-clear": b"\x1b[2J\x1b[H\x1b[31mred",
    "csi-8bit": b"\x9b2J",
    "osc0-title": b"\x1b]0;owned\x07",
    "osc0-st": b"\x1b]0;owned\x1b\\",
    "osc52-clipboard": b"\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07",
    "dcs": b"\x1bP+q544e\x1b\\",
    "dcs-8bit": b"\x90+q544e\x9c",
    "bidi": "a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j\u200ek\u200fl\u061cm".encode(),
    "separators": "a\u2028b\u2029c\ufeffd".encode(),
    "invalid-utf8": b"\xff\xfe\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82",
}

UNSAFE = set(range(0x00, 0x20)) - {0x0A, 0x09}
UNSAFE |= {0x7F} | set(range(0x80, 0xA0))
UNSAFE |= set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
UNSAFE |= {0x200E, 0x200F, 0x061C, 0x2028, 0x2029, 0xFEFF}


def corpus(outdir, export):
    os.makedirs(outdir, exist_ok=True)
    for name, seq in SEQUENCES.items():
        with open(os.path.join(outdir, "seq-" + name), "wb") as f:
            f.write(seq)
    everything = b" | ".join(SEQUENCES.values())
    # a type is one line in the text format: everything but newline
    evil_type = everything.replace(b"\n", b"")
    with open(os.path.join(outdir, "type"), "wb") as f:
        f.write(b"evil-type " + evil_type)
    with open(os.path.join(outdir, "data"), "wb") as f:
        f.write(b"evil-data " + everything)

    with open(export, "rb") as f:
        records = json.load(f)
    names = list(SEQUENCES)
    counter = [0]

    def evil(plain):
        name = names[counter[0] % len(names)]
        counter[0] += 1
        seq = SEQUENCES[name]
        evil_type = b"evil-" + name.encode() + b" " + seq.replace(b"\n", b"")
        # the daemon's JSON encoder writes an invalid byte as U+FFFD
        plain["type"] = evil_type.decode("utf-8", "replace")
        plain["data"] = [{"type": 2, "data": base64.b64encode(b"data " + seq).decode()},
                         {"type": 3, "data": base64.b64encode((7).to_bytes(4, "little")).decode()},
                         {"type": 2, "data": base64.b64encode(everything).decode()}]
        for sub in plain.get("subRecords") or []:
            evil(sub)

    for record in records:
        for plain in record.get("debug") or []:
            evil(plain)
    # raw UTF-8 where JSON allows it (C1, bidi), \u escapes for the rest
    text = json.dumps(records, indent=2, ensure_ascii=False)
    with open(os.path.join(outdir, "evil.json"), "wb") as f:
        f.write(text.encode() + b"\n")


def check(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print("invalid UTF-8 at byte %d: %r" % (e.start, data[max(0, e.start - 20):e.start + 10]))
        return 1
    for i, ch in enumerate(text):
        if ord(ch) in UNSAFE:
            print("U+%04X at character %d: %r" % (ord(ch), i, text[max(0, i - 30):i + 10]))
            return 1
    return 0


def contains(path, seqs):
    with open(path, "rb") as f:
        data = f.read()
    missing = [s for s in seqs if open(s, "rb").read() not in data]
    for s in missing:
        print("missing raw: " + os.path.basename(s))
    return 1 if missing else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "corpus":
        corpus(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        return check(sys.argv[2])
    if len(sys.argv) >= 4 and sys.argv[1] == "contains":
        return contains(sys.argv[2], sys.argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
