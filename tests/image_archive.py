#!/usr/bin/env python3
"""Builds `docker save` archives from a fixture's OCI layout, for tests/image_archive.test.

  image_archive.py stage FORM LAYOUT DIR [--tag T]... [--long-names]
      writes into DIR the tree `docker save` tars up, for the image whose
      layout (--cache-to type=local with inline cache, or any OCI layout) is
      LAYOUT:
        docker    the classic docker-archive (docker 1.10 to 24): manifest.json,
                  <config hex>.json, <v1 id>/{VERSION,json,layer.tar}, repositories
        docker25  docker 25 and later: the same tar is an OCI layout too
                  (oci-layout, index.json, blobs/sha256/), manifest.json naming
                  blobs/sha256/<hex>
        oci       the OCI layout alone (no manifest.json)
      --long-names puts each classic layer in a folder deep enough that its
      path no longer fits a 100-byte tar name (ustar prefix, pax path, or a
      GNU long name, by the tar format).

  image_archive.py tar DIR OUT [--format ustar|gnu|pax] [--big-layer BYTES]
      tars DIR as docker's archive.Tar does: every path in lexical order,
      folders with a trailing slash, symbolic links kept, owner root. OUT
      "-" streams to standard output. --big-layer makes the first
      layer.tar BYTES of zeros, written as they go (a large image through
      a pipe, never on disk).

The layer blobs of the fixtures are stand-ins, not real tars; nothing
reads a layer's bytes, only its size.
"""
import hashlib
import json
import os
import shutil
import sys
import tarfile

OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def blob(layout, digest):
    return open(os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1]), "rb").read()


def image(layout):
    index = json.load(open(os.path.join(layout, "index.json")))
    desc = index["manifests"][0]
    manifest = json.loads(blob(layout, desc["digest"]))
    return desc, manifest


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def stage_docker(layout, out, tags, long_names):
    _, manifest = image(layout)
    config_digest = manifest["config"]["digest"]
    config = blob(layout, config_digest)
    diff_ids = json.loads(config)["rootfs"]["diff_ids"]
    config_name = config_digest.split(":", 1)[1] + ".json"
    write(os.path.join(out, config_name), config)
    layers, parent = [], ""
    for i, layer in enumerate(manifest["layers"]):
        v1 = hashlib.sha256(("%s %s" % (parent, diff_ids[i])).encode()).hexdigest()
        folder = v1 + ("/" + "d" * 64 if long_names else "")
        write(os.path.join(out, folder, "VERSION"), "1.0")
        write(os.path.join(out, folder, "json"), json.dumps({"id": v1, "parent": parent} if parent else {"id": v1}))
        write(os.path.join(out, folder, "layer.tar"), blob(layout, layer["digest"]))
        layers.append(folder + "/layer.tar")
        parent = v1
    write(os.path.join(out, "manifest.json"),
          json.dumps([{"Config": config_name, "RepoTags": tags, "Layers": layers}]) + "\n")
    repos = {}
    for t in tags:
        name, tag = t.rsplit(":", 1)
        repos.setdefault(name, {})[tag] = parent
    write(os.path.join(out, "repositories"), json.dumps(repos) + "\n")


def copy_layout(layout, out):
    shutil.copytree(os.path.join(layout, "blobs"), os.path.join(out, "blobs"), dirs_exist_ok=True)
    shutil.copy(os.path.join(layout, "oci-layout"), os.path.join(out, "oci-layout"))
    shutil.copy(os.path.join(layout, "index.json"), os.path.join(out, "index.json"))


def stage_docker25(layout, out, tags):
    desc, manifest = image(layout)
    copy_layout(layout, out)
    entries = []
    for t in tags:
        entry = {k: desc[k] for k in ("mediaType", "digest", "size") if k in desc}
        entry["annotations"] = {"io.containerd.image.name": "docker.io/library/" + t,
                                "org.opencontainers.image.ref.name": t.rsplit(":", 1)[1]}
        entries.append(entry)
    write(os.path.join(out, "index.json"),
          json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}))
    path = lambda d: "blobs/sha256/" + d.split(":", 1)[1]
    write(os.path.join(out, "manifest.json"),
          json.dumps([{"Config": path(manifest["config"]["digest"]), "RepoTags": tags,
                       "Layers": [path(l["digest"]) for l in manifest["layers"]]}]) + "\n")


class Zeros:
    """A file of zeros to read from, as large as asked."""
    def read(self, n=-1):
        return bytes(n if n >= 0 else 0)


def tar_dir(src, out, fmt, big_layer=None):
    formats = {"ustar": tarfile.USTAR_FORMAT, "gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT}
    paths = []
    for root, dirs, files in os.walk(src):
        for name in dirs + files:
            full = os.path.join(root, name)
            paths.append(os.path.relpath(full, src))
    if out == "-":
        tar = tarfile.open(fileobj=sys.stdout.buffer, mode="w|", format=formats[fmt])
    else:
        tar = tarfile.open(out, "w", format=formats[fmt])
    with tar:
        for rel in sorted(paths):
            info = tar.gettarinfo(os.path.join(src, rel), arcname=rel)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if info.isreg() and big_layer is not None and rel.endswith("layer.tar"):
                info.size, big_layer = big_layer, None
                tar.addfile(info, Zeros())
            elif info.isreg():
                with open(os.path.join(src, rel), "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)


def main(argv):
    if len(argv) >= 4 and argv[0] == "stage":
        form, layout, out = argv[1:4]
        rest = argv[4:]
        tags = [rest[i + 1] for i, a in enumerate(rest) if a == "--tag"] or ["app:v1"]
        os.makedirs(out, exist_ok=True)
        if form == "docker":
            stage_docker(layout, out, tags, "--long-names" in rest)
        elif form == "docker25":
            stage_docker25(layout, out, tags)
        elif form == "oci":
            copy_layout(layout, out)
        else:
            sys.exit("image_archive.py: unknown form " + form)
    elif len(argv) >= 3 and argv[0] == "tar":
        fmt = argv[argv.index("--format") + 1] if "--format" in argv else "pax"
        big = int(argv[argv.index("--big-layer") + 1]) if "--big-layer" in argv else None
        tar_dir(argv[1], argv[2], fmt, big)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
