#!/usr/bin/env python3
"""Pushes an OCI image layout (as `--cache-to type=local` writes it) to a
registry with the distribution API, standard library only:

    push_layout.py LAYOUT http[s]://HOST:PORT REPO TAG
                   [--cacert FILE] [--user USER:PASSWORD] [--index-of-images]

Every blob under blobs/sha256 except the manifest index.json tags "latest"
is uploaded monolithically (POST /v2/REPO/blobs/uploads/, then PUT
?digest=), then that manifest is put under TAG with its media type.
--index-of-images puts the manifest by digest instead and tags an OCI
image index that lists it as this machine's linux image (the shape of a
multi-platform image with inline cache).

Auth as a registry asks for it: Basic, or a Bearer token from the realm
(with --user as Basic credentials). Prints the digest of what TAG names.
Exits non-zero with the registry's answer when the registry refuses."""
import base64
import hashlib
import json
import os
import platform
import re
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
        "i686": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


class Pusher:
    def __init__(self, base, repo, cacert, user):
        self.base, self.repo, self.user = base, repo, user
        self.context = ssl.create_default_context(cafile=cacert) if cacert else None
        self.authorization = None

    def basic(self):
        return "Basic " + base64.b64encode(self.user.encode()).decode()

    def authenticate(self, challenge):
        scheme, _, rest = challenge.partition(" ")
        params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if scheme.lower() == "basic":
            self.authorization = self.basic()
            return
        query = {"service": params.get("service", ""),
                 "scope": "repository:%s:pull,push" % self.repo}
        request = urllib.request.Request(params["realm"] + "?" + urllib.parse.urlencode(query))
        if self.user:
            request.add_header("Authorization", self.basic())
        with urllib.request.urlopen(request, context=self.context, timeout=30) as answer:
            body = json.load(answer)
        self.authorization = "Bearer " + (body.get("token") or body["access_token"])

    def call(self, method, url, body=None, content_type=None, retried=False):
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if self.authorization:
            request.add_header("Authorization", self.authorization)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as answer:
                return answer.headers, answer.read()
        except urllib.error.HTTPError as e:
            if e.code == 401 and not retried:
                self.authenticate(e.headers["WWW-Authenticate"])
                return self.call(method, url, body, content_type, True)
            sys.exit("push_layout.py: %s %s: %d %s" % (method, url, e.code, e.read().decode(errors="replace")))

    def blob(self, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        answer, _ = self.call("POST", "%s/v2/%s/blobs/uploads/" % (self.base, self.repo))
        location = urllib.parse.urljoin(self.base + "/", answer["Location"])
        sep = "&" if "?" in location else "?"
        self.call("PUT", "%s%sdigest=%s" % (location, sep, digest), data, "application/octet-stream")

    def manifest(self, reference, data, media_type):
        self.call("PUT", "%s/v2/%s/manifests/%s" % (self.base, self.repo, reference), data, media_type)


def main():
    args, options = [], {}
    argv = sys.argv[1:]
    while argv:
        a = argv.pop(0)
        if a == "--index-of-images":
            options[a] = True
        elif a.startswith("--"):
            options[a] = argv.pop(0)
        else:
            args.append(a)
    layout, base, repo, tag = args
    pusher = Pusher(base, repo, options.get("--cacert"), options.get("--user"))
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    top = index["manifests"][0]
    for m in index["manifests"]:
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "latest":
            top = m
    top_hex = top["digest"].split(":", 1)[1]
    blobs = os.path.join(layout, "blobs", "sha256")
    for name in sorted(os.listdir(blobs)):
        if name != top_hex:
            with open(os.path.join(blobs, name), "rb") as f:
                pusher.blob(f.read())
    with open(os.path.join(blobs, top_hex), "rb") as f:
        manifest = f.read()
    if "--index-of-images" not in options:
        pusher.manifest(tag, manifest, top["mediaType"])
        print(top["digest"])
        return
    pusher.manifest(top["digest"], manifest, top["mediaType"])
    wrapper = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": top["mediaType"], "digest": top["digest"], "size": top["size"],
             "platform": {"os": "linux", "architecture": "s390x" if ARCH.get(platform.machine()) != "s390x" else "ppc64le"}},
            {"mediaType": top["mediaType"], "digest": top["digest"], "size": top["size"],
             "platform": {"os": "linux", "architecture": ARCH.get(platform.machine(), "amd64")}},
        ],
    }, indent=2).encode()
    pusher.manifest(tag, wrapper, "application/vnd.oci.image.index.v1+json")
    print("sha256:" + hashlib.sha256(wrapper).hexdigest())


if __name__ == "__main__":
    main()
