#!/usr/bin/env python3
"""A small registry that misbehaves on purpose, standard library only.

It serves one OCI layout (as `--cache-to type=local` writes it) with the
distribution API's read side, and can be told to go wrong in the ways a
network does:

    fake_registry.py --port-file FILE [--log FILE] [--layout DIR] [--repo R]
                     [--mode MODE] [--on manifest|blob|any]
                     [--auth basic:USER:PASS | bearer:USER:PASS]
                     [--blob-redirect URL] [--storage]
                     [--ipv6] [--tls CERT KEY] [--log-origin]

MODE (applied to requests --on selects; default any):
  normal              behave
  stall               read the request, never answer
  stall-body          send the headers and 10 bytes of the body, then stop
  reset               send the headers and 10 bytes, then reset the connection
  truncate            promise the whole body, send half of it, close
  status:CODE[:RETRY_AFTER[:COUNT]]
                      answer CODE (with Retry-After) to the first COUNT
                      requests (default: all), then behave
  redirect-loop       redirect to ?hop=1, which redirects back
  redirect-chain      redirect to ?hop=N+1, forever
  tamper              the right length, one byte wrong
  digest-header       a Docker-Content-Digest that is not the content's
  bad-challenge       401 with a WWW-Authenticate nobody can read

--auth basic:U:P    every /v2/ request needs Basic U:P.
--auth bearer:U:P   every /v2/ request needs a token from GET /token
                    (Basic U:P there); the challenge names this server.
--blob-redirect URL blobs answer 307 to URL/blobs/<digest>?signature=...
                    (object storage: another origin). "{port}" in URL is
                    this server's port; URL "/" redirects to the path alone
                    (/blobs/<digest>?..., a relative Location). This server
                    serves /blobs/<digest> too, as the storage at another
                    of its names, schemes or its own origin (the log says
                    which).
--storage           be that storage: serve /blobs/<digest> from --layout.
--ipv6              listen on [::1] too, at the same port as on 127.0.0.1.
--tls CERT KEY      speak TLS on the port as well as plain HTTP.
--log-origin        log the scheme and the Host each request came with.

Every request is logged as "METHOD PATH auth=yes|no" (the Authorization
header's presence, never its value)."""
import argparse
import base64
import json
import os
import socket
import struct
import threading
import time
import urllib.parse
from serving import LoggedHandler, origin_servers, serve_all

MANIFEST_TYPES = ("application/vnd.oci.image.index.v1+json",
                  "application/vnd.oci.image.manifest.v1+json")


def load_layout(layout):
    """The tagged manifest, its media type, and every blob by digest."""
    if not layout:
        return None, None, {}
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    top = index["manifests"][0]
    blobs = {}
    directory = os.path.join(layout, "blobs", "sha256")
    for name in os.listdir(directory):
        with open(os.path.join(directory, name), "rb") as f:
            blobs["sha256:" + name] = f.read()
    return top["digest"], top["mediaType"], blobs


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--layout")
    p.add_argument("--repo", default="cache")
    p.add_argument("--tag", default="latest")
    p.add_argument("--mode", default="normal")
    p.add_argument("--on", default="any", choices=["manifest", "blob", "any"])
    p.add_argument("--auth", default="none")
    p.add_argument("--blob-redirect")
    p.add_argument("--storage", action="store_true")
    p.add_argument("--ipv6", action="store_true")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--log-origin", action="store_true")
    args = p.parse_args()
    port = {}  # filled in once the servers have one
    top_digest, top_type, blobs = load_layout(args.layout)
    lock = threading.Lock()
    counts = {"status": 0}
    token = "tok-" + os.urandom(8).hex()
    auth_kind, _, auth_user = args.auth.partition(":")
    basic = "Basic " + base64.b64encode(auth_user.encode()).decode() if auth_user else None

    class Handler(LoggedHandler):
        log_path = args.log
        log_origin = args.log_origin

        def send(self, status, body=b"", content_type="application/json", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def error(self, status, code, message, headers=()):
            body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
            self.send(status, body, headers=headers)

        def challenge(self):
            if auth_kind == "basic":
                return 'Basic realm="fake"'
            host = self.headers.get("Host", "127.0.0.1")
            return ('Bearer realm="http://%s/token",service="fake-registry",scope="repository:%s:pull"'
                    % (host, args.repo))

        def authorized(self):
            got = self.headers.get("Authorization")
            if auth_kind == "basic":
                return got == basic
            if auth_kind == "bearer":
                return got == "Bearer " + token
            return True

        def serve_token(self):
            if self.headers.get("Authorization") != basic:
                return self.send(401, b'{"details":"incorrect username or password"}')
            self.send(200, json.dumps({"token": token}).encode())

        def misbehave(self, kind, body, content_type, headers):
            """Applies --mode; True when it has answered (or refused to)."""
            mode = args.mode
            if args.on not in ("any", kind) or mode == "normal":
                return False
            if mode == "stall":
                time.sleep(3600)
                return True
            if mode in ("stall-body", "reset", "truncate"):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:10] if mode != "truncate" else body[:len(body) // 2])
                self.wfile.flush()
                if mode == "stall-body":
                    time.sleep(3600)
                elif mode == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                self.close_connection = True
                return True
            if mode.startswith("status:"):
                parts = mode.split(":")
                code = int(parts[1])
                limit = int(parts[3]) if len(parts) > 3 else None
                with lock:
                    counts["status"] += 1
                    n = counts["status"]
                if limit is None or n <= limit:
                    extra = [("Retry-After", parts[2])] if len(parts) > 2 and parts[2] else []
                    self.error(code, "TOOMANYREQUESTS" if code == 429 else "UNAVAILABLE",
                               "try again later", extra)
                    return True
                return False
            if mode in ("redirect-loop", "redirect-chain"):
                url = urllib.parse.urlparse(self.path)
                hop = int(urllib.parse.parse_qs(url.query).get("hop", ["0"])[0])
                if mode == "redirect-loop":
                    target = url.path + ("?hop=1" if hop == 0 else "")
                else:
                    target = "%s?hop=%d" % (url.path, hop + 1)
                self.send(302, b"", headers=[("Location", target)])
                return True
            if mode == "tamper":
                wrong = bytes([body[0] ^ 1]) + body[1:]
                self.send(200, wrong, content_type, headers)
                return True
            if mode == "digest-header":
                self.send(200, body, content_type,
                          [("Docker-Content-Digest", "sha256:" + "0" * 64)])
                return True
            if mode == "bad-challenge":
                self.send(401, b"{}", headers=[("WWW-Authenticate", 'Bearer realm="unterminated')])
                return True
            return False

        def do_GET(self):
            self.note()
            url = urllib.parse.urlparse(self.path)
            path = url.path
            if args.storage or (path.startswith("/blobs/") and args.blob_redirect):
                digest = path.rsplit("/", 1)[-1]
                if path.startswith("/blobs/") and digest in blobs:
                    return self.send(200, blobs[digest], "application/octet-stream")
                return self.send(404, b"no such object")
            if path == "/token" and auth_kind == "bearer":
                return self.serve_token()
            if not path.startswith("/v2/"):
                return self.send(404, b"not found")
            if not self.authorized():
                return self.error(401, "UNAUTHORIZED", "authentication required",
                                  [("WWW-Authenticate", self.challenge())])
            prefix = "/v2/%s/" % args.repo
            if path == "/v2/":
                return self.send(200, b"{}")
            if not path.startswith(prefix):
                return self.error(404, "NAME_UNKNOWN", "repository name not known to registry")
            kind, _, ref = path[len(prefix):].partition("/")
            if kind == "manifests":
                digest = top_digest if ref in (args.tag, top_digest) else ref
                if digest not in blobs or (ref != args.tag and not ref.startswith("sha256:")):
                    return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
                body = blobs[digest]
                content_type = top_type if digest == top_digest else json.loads(body).get("mediaType", top_type)
                headers = [("Docker-Content-Digest", digest)]
                if not self.misbehave("manifest", body, content_type, headers):
                    self.send(200, body, content_type, headers)
                return
            if kind == "blobs" and ref in blobs:
                body = blobs[ref]
                if args.blob_redirect and not self.misbehave("blob", body, "application/octet-stream", []):
                    base = "" if args.blob_redirect == "/" else args.blob_redirect.replace("{port}", str(port["n"]))
                    target = "%s/blobs/%s?signature=s3cr3t-signature" % (base, ref)
                    return self.send(307, b"", headers=[("Location", target)])
                if not self.misbehave("blob", body, "application/octet-stream", []):
                    self.send(200, body, "application/octet-stream")
                return
            self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")

    servers = origin_servers(Handler, args.ipv6, *(args.tls or (None, None)))
    port["n"] = servers[0].server_address[1]
    serve_all(servers, args.port_file)


if __name__ == "__main__":
    main()
