#!/usr/bin/env python3
"""Variants of a debug export (a /debug/cache/store JSON answer) for
tests/diff.test: one known change each, with plaintexts to match, so that
diff must name exactly that change.

    diff_variants.py STORE.json OUT.json VARIANT

image        the base image's two keys change (reference and digests)
selector     the last RUN selects /app of its input instead of /
selector-hit the copy of /hi selects /ho of its RUN, and still hits by content
input        the last RUN runs on another, existing step
extra-input  the last RUN gains a second input
insert       a new RUN between the last two steps
chain        30 more RUNs after the changed one (multistage-v2)
evil         a hostile command changes, still hostile
new-root     a new stage: an image A never had, and a RUN on it
random       the random (session) root is another session's (app-v1)

    diff_variants.py --wide N a|b OUT.json

writes a store without plaintexts whose nodes have N parents: one on N
inputs, one with N alternatives on one input, and a step after both; b
differs from a in one root. What diff does must stay near linear in N.
"""
import base64
import copy
import hashlib
import json
import sys

ROOT_DIGEST = "sha256:8a5edab282632443219e051e4ade2d1d5bbc671c781051bf1437897cbdfea0f1"


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def record(typ, data, subs=()):
    return {"digest": sha(data), "type": typ,
            "data": [{"type": 2, "data": base64.b64encode(data).decode()}],
            "subRecords": list(subs)}


def data_of(r):
    return b"".join(base64.b64decode(f["data"]) for f in r["data"] if f["type"] == 2)


def by_id(recs, i):
    return next(r for r in recs if r["id"] == i)


def op_of(rec):
    """a step's op JSON: its link digest's record leads to it"""
    subs = (rec.get("debug") or [{}])[0].get("subRecords") or []
    return json.loads(data_of(subs[0])) if subs and subs[0]["type"] == "json" else {}


def exec_link(cmd):
    op = {"Type": "buildkit.exec.v0", "Exec": {"meta": {
        "args": ["/bin/sh", "-c", cmd],
        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "cwd": "/", "removeMountStubsRecursive": True}}, "OS": "linux", "Arch": "amd64"}
    j = record("json", json.dumps(op, separators=(",", ":")).encode())
    return record("string", (j["digest"] + "@0").encode(), [j])


def find_exec(recs, text):
    for r in recs:
        if r.get("parents") and text in json.dumps(op_of(r)):
            return r
    raise KeyError(text)


def find_copy(recs, src):
    for r in recs:
        op = op_of(r)
        if r.get("parents") and "Actions" in op and \
                ('"src":"%s"' % src).encode() in base64.b64decode(op["Actions"][0]):
            return r
    raise KeyError(src)


def whole():
    return record("string", b"/")


def set_parents(rec, parents):
    """parents: [(input, target record, link record, selector record or None)]"""
    rec["parents"] = [{"input": i, "output": 0, "digest": l["digest"],
                       "selector": s["digest"] if s else "", "target": t["id"]}
                      for i, t, l, s in parents]
    debug = []
    for _, _, l, s in parents:
        for r in (l, s):
            if r and r["digest"] != ROOT_DIGEST and r["digest"] not in [d["digest"] for d in debug]:
                debug.append(r)
    rec["debug"] = debug


def fix_children(recs):
    ids = {r["id"]: r for r in recs}  # by_id for each link was quadratic: minutes at --wide 50000
    for r in recs:
        r["children"] = {}
    for r in recs:
        for p in r.get("parents") or []:
            kids = ids[p["target"]]["children"]
            kids.setdefault(str(p["output"]), {})[str(r["id"])] = {}
    for r in recs:
        r["children"] = r["children"] or None


def source_json(rec):
    source = rec["debug"][0]["subRecords"][0]
    subs = source.get("subRecords") or []
    return json.loads(data_of(subs[0])) if subs and subs[0]["type"] == "json" else None


def replace_source(rec, change):
    """a root whose source JSON CHANGE edits: new digests all the way up"""
    cfg = source_json(rec)
    change(cfg)
    j = record("json", json.dumps(cfg, separators=(",", ":")).encode())
    s = record("string", ("buildkit.source.v0:" + j["digest"]).encode(), [j])
    t = record("string", (s["digest"] + "@0").encode(), [s])
    rec["digest"] = t["digest"]
    rec["debug"] = [t]


def image(recs):
    def config(c):
        c["ref"] = c["ref"].replace("20.04", "22.04")
        c["rootfs"]["diff_ids"] = ["sha256:" + "1" * 64]
    for r in recs:
        if r.get("parents") or not r.get("digest"):
            continue
        cfg = source_json(r)
        if cfg and "ref" in cfg:
            replace_source(r, config)
        elif cfg and "Digest" in cfg:
            replace_source(r, lambda c: c.update(Digest="sha256:" + "2" * 64))


def selector(recs):
    last = find_exec(recs, "cat /hello /hi")
    p = last["parents"][0]
    set_parents(last, [(0, by_id(recs, p["target"]), last["debug"][0], record("string-list", b"/app"))])


def selector_hit(recs):
    c = find_copy(recs, "/hi")
    parents = []
    for p in c["parents"]:
        link = next(d for d in c["debug"] if d["digest"] == p["digest"])
        parents.append((p["input"], by_id(recs, p["target"]), link,
                        record("string-list", b"/ho") if p.get("selector") else None))
    set_parents(c, parents)


def other_input(recs):
    last = find_exec(recs, "cat /hello /hi")
    set_parents(last, [(0, find_copy(recs, "/hello"), last["debug"][0], whole())])


def extra_input(recs):
    last = find_exec(recs, "cat /hello /hi")
    p = last["parents"][0]
    set_parents(last, [(0, by_id(recs, p["target"]), last["debug"][0], whole()),
                       (1, find_exec(recs, "echo hello > /hello"), last["debug"][0], whole())])


def insert(recs):
    last = find_exec(recs, "cat /hello /hi")
    p = last["parents"][0]
    new = {"id": max(r["id"] for r in recs) + 1}
    set_parents(new, [(0, by_id(recs, p["target"]), exec_link("apt-get update"), whole())])
    recs.append(new)
    set_parents(last, [(0, new, last["debug"][0], whole())])


def chain(recs):
    prev = find_exec(recs, "echo hey > /hi")
    for k in range(30):
        new = {"id": max(r["id"] for r in recs) + 1}
        set_parents(new, [(0, prev, exec_link("step %d" % k), whole())])
        recs.append(new)
        prev = new


def evil(recs):
    r = find_exec(recs, "clipboard")
    op = op_of(r)
    op["Exec"]["meta"]["args"][2] += "\x1b[2J again"
    j = record("json", json.dumps(op, separators=(",", ":")).encode())
    link = record("string", (j["digest"] + "@0").encode(), [j])
    set_parents(r, [(p["input"], by_id(recs, p["target"]), link, whole() if p["selector"] else None)
                    for p in r["parents"]])


def new_root(recs):
    base = next(r for r in recs if not r.get("parents") and r.get("digest") and "ref" in (source_json(r) or {}))
    img = copy.deepcopy(base)
    img["id"] = max(r["id"] for r in recs) + 1
    replace_source(img, lambda c: c.update(ref="docker.io/library/alpine:3.19", Digest="sha256:" + "3" * 64))
    recs.append(img)
    step = {"id": img["id"] + 1}
    set_parents(step, [(0, img, exec_link("apk add git"), None)])
    recs.append(step)


def random_root(recs):
    r = next(r for r in recs if r.get("random"))
    session = record("string", b"buildkit.source.v0:session:" + b"7" * 64)
    r["digest"] = session["digest"]
    r["debug"] = [session]


VARIANTS = {"image": image, "selector": selector, "selector-hit": selector_hit, "input": other_input, "extra-input": extra_input,
            "insert": insert, "chain": chain, "evil": evil, "new-root": new_root, "random": random_root}

def wide(n, side):
    def digest(text):
        return sha(text.encode())
    recs = [{"id": i + 1, "digest": digest("root %d%s" % (i, side if i == 7 else "")), "parents": None}
            for i in range(n)]
    recs.append({"id": n + 1, "parents": [{"input": i, "output": 0, "digest": digest("wide"), "selector": "",
                                           "target": i + 1} for i in range(n)]})
    recs.append({"id": n + 2, "parents": [{"input": 0, "output": 0, "digest": digest("alternatives"),
                                           "selector": "", "target": i + 1} for i in range(n)]})
    recs.append({"id": n + 3, "parents": [
        {"input": 0, "output": 0, "digest": digest("after"), "selector": "", "target": n + 1},
        {"input": 1, "output": 0, "digest": digest("after"), "selector": "", "target": n + 2}]})
    return recs


if __name__ == "__main__":
    if sys.argv[1] == "--wide":
        recs = wide(int(sys.argv[2]), sys.argv[3])
        fix_children(recs)
        json.dump(recs, open(sys.argv[4], "w"))
        sys.exit(0)
    src, out, kind = sys.argv[1:4]
    recs = copy.deepcopy(json.load(open(src)))
    VARIANTS[kind](recs)
    fix_children(recs)
    json.dump(recs, open(out, "w"))
