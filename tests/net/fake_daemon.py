#!/usr/bin/env python3
"""Stands in for `buildkitd --debugaddr` (the daemon cannot run in tests),
serving a fixture's expected answers the way cmd/buildkitd/debug.go does:

    fake_daemon.py --fixture DIR (--port-file FILE | --unix PATH) [--log FILE]
                   [--no-load]

GET  /debug/cache/store           store.json (Accept: application/json) or store.txt
POST /debug/cache/load            load.json / load.txt, for a JSON body
GET  /debug/cache/lookup?digest=  one plaintext record with its sub-records,
                                  from the records store.json and load.json carry;
                                  500 "... not found" for any other digest
--no-load                         an older daemon: /debug/cache/load is 404

Like the daemon, answers are written after a WriteHeader(200) that fixes no
Content-Type. Requests are logged as "METHOD PATH[?digest]"."""
import argparse
import json
import os
import socketserver
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from serving import serve


def index_records(fixture):
    """Every plaintext record the fixture's answers carry, by digest."""
    records = {}

    def walk(rec):
        records.setdefault(rec["digest"], rec)
        for sub in rec.get("subRecords") or []:
            walk(sub)

    for name in ("store.json", "load.json"):
        with open(os.path.join(fixture, name)) as f:
            for rec in json.load(f):
                for debug in rec.get("debug") or []:
                    walk(debug)
    return records


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fixture", required=True)
    p.add_argument("--port-file")
    p.add_argument("--unix")
    p.add_argument("--log")
    p.add_argument("--no-load", action="store_true")
    args = p.parse_args()
    records = index_records(args.fixture)
    lock = threading.Lock()

    def read(name):
        with open(os.path.join(args.fixture, name), "rb") as f:
            return f.read()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def address_string(self):
            return "local"

        def log_message(self, *a):
            pass

        def note(self, extra=""):
            if args.log:
                with lock, open(args.log, "a") as f:
                    f.write("%s %s%s\n" % (self.command, urllib.parse.urlparse(self.path).path, extra))

        def send(self, status, body, content_type="text/plain; charset=utf-8"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            json_wanted = self.headers.get("Accept") == "application/json"
            if url.path == "/debug/cache/store":
                self.note()
                return self.send(200, read("store.json" if json_wanted else "store.txt"))
            if url.path == "/debug/cache/lookup":
                digest = urllib.parse.parse_qs(url.query).get("digest", [""])[0]
                self.note("?" + digest)
                if digest not in records:
                    return self.send(500, ("failed to get digest %s from cache: not found\n" % digest).encode())
                return self.send(200, (json.dumps(records[digest]) + "\n").encode(), "application/json")
            self.note()
            self.send(404, b"404 page not found\n")

        def do_POST(self):
            self.note()
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if args.no_load or urllib.parse.urlparse(self.path).path != "/debug/cache/load":
                return self.send(404, b"404 page not found\n")
            try:
                config = json.loads(body)
                assert "records" in config
            except Exception:
                return self.send(500, b"failed to load cache: invalid cache config\n")
            self.send(200, read("load.json" if self.headers.get("Accept") == "application/json" else "load.txt"))

    if args.unix:
        class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True
        serve(UnixServer(args.unix, Handler))
    else:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        serve(server, args.port_file)


if __name__ == "__main__":
    main()
