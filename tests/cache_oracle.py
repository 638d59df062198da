#!/usr/bin/env python3
"""What a cache holds, counted from its raw form without cachescope: the
oracle real_daemon.test compares `cachescope stats` and `dump` with.

  cache_oracle.py bolt LISTING    LISTING: boltcheck's lines for a cache.db
  cache_oracle.py inline CONFIG   CONFIG: an image config with an inline cache

prints, as `cachescope stats` does (spaces squeezed):

  nodes: N / roots: N (N random) / leaves: N / edges: N / results: N

then one line per root, sorted: "root <digest>", or "random <digest>"
for a random:<hex> key (written sha256:<hex>, as the records report it).

A local store (FORMATS.md "Local store"): the records are the ids in
_links that start with sha256: or random:, and every id their links reach;
a link is a key "<json>@<target id>" in _links/<id>; results are the
entries of _result/<id>. An inline cache: the image config's
"moby.buildkit.cache.v0", base64 of a JSON array of records; a record with
no inputs is a root; each layer it names is a result.
"""
import base64
import json
import sys


def bolt_counts(listing):
    links, results = {}, {}
    for line in open(listing, encoding="utf-8"):
        entry = json.loads(line)
        path, key = entry["path"], bytes.fromhex(entry["key"]).decode("utf-8", "replace")
        if path == ["_links"] and entry.get("bucket"):
            links.setdefault(key, [])
        elif len(path) == 2 and path[0] == "_links" and not entry.get("bucket"):
            target = key.rsplit("@", 1)[1]
            links.setdefault(path[1], []).append(target)
        elif len(path) == 2 and path[0] == "_result" and not entry.get("bucket"):
            results[path[1]] = results.get(path[1], 0) + 1
    roots = sorted(i for i in links if i.startswith(("sha256:", "random:")))
    seen, todo = set(roots), list(roots)
    while todo:
        for target in links.get(todo.pop(), []):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return {
        "nodes": len(seen),
        "roots": len(roots),
        "random": sum(1 for r in roots if r.startswith("random:")),
        "leaves": sum(1 for i in seen if not links.get(i)),
        "edges": sum(len(links.get(i, [])) for i in seen),
        "results": sum(results.get(i, 0) for i in seen),
        "root lines": sorted(("random sha256:" if r.startswith("random:") else "root sha256:") + r.split(":", 1)[1]
                             for r in roots),
    }


def inline_counts(config_file):
    config = json.load(open(config_file, encoding="utf-8"))
    records = json.loads(base64.b64decode(config["moby.buildkit.cache.v0"]))
    has_child = set()
    for record in records:
        for alternatives in record.get("inputs") or []:
            for link in alternatives:
                has_child.add(link["link"])
    roots = [r for r in records if not r.get("inputs")]
    return {
        "nodes": len(records),
        "roots": len(roots),
        "random": 0,
        "leaves": sum(1 for i in range(len(records)) if i not in has_child),
        "edges": sum(len(alts) for r in records for alts in r.get("inputs") or []),
        "results": sum(len(r.get("layers") or []) for r in records),
        "root lines": sorted("root " + r["digest"] for r in roots),
    }


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("bolt", "inline"):
        sys.exit("usage: cache_oracle.py bolt LISTING | inline CONFIG")
    c = (bolt_counts if sys.argv[1] == "bolt" else inline_counts)(sys.argv[2])
    print(f"nodes: {c['nodes']}")
    print(f"roots: {c['roots']} ({c['random']} random)")
    print(f"leaves: {c['leaves']}")
    print(f"edges: {c['edges']}")
    print(f"results: {c['results']}")
    for line in c["root lines"]:
        print(line)


main()
