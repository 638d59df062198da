#!/usr/bin/env python3
"""A token issuer for distribution's token auth (the docker token spec),
standard library plus the openssl command:

    token_server.py --key KEY.pem --cert CERT.pem --user USER:PASSWORD
                    [--refresh-token TOKEN] [--service NAME] [--issuer NAME]
                    --port-file FILE [--log FILE]

GET /token?service=&scope=...  with Basic USER:PASSWORD  -> {"token": JWT}
POST /token (grant_type=refresh_token, refresh_token=TOKEN) -> {"access_token": JWT}
Anything else is 401. The JWT is RS256, signed with KEY, and carries CERT
in its x5c header; the registry trusts CERT through its rootcertbundle.
Each request is logged (method, path, and whether Authorization came)."""
import argparse
import base64
import json
import os
import subprocess
import time
import urllib.parse
from http.server import ThreadingHTTPServer
from serving import LoggedHandler, serve


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der_b64(cert_path):
    der = subprocess.run(["openssl", "x509", "-in", cert_path, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


def sign(key_path, data):
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_path],
                          input=data, check=True, capture_output=True).stdout


def make_token(args, x5c, scopes, subject):
    access = []
    for scope in scopes:
        parts = scope.split(":")
        if len(parts) >= 3:
            access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                           "actions": parts[-1].split(",")})
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "x5c": [x5c]}
    claims = {"iss": args.issuer, "sub": subject, "aud": args.service, "exp": now + 600,
              "nbf": now - 60, "iat": now, "jti": os.urandom(8).hex(), "access": access}
    signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
    return signing_input.decode() + "." + b64url(sign(args.key, signing_input))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--refresh-token")
    parser.add_argument("--service", default="cachescope-test")
    parser.add_argument("--issuer", default="cachescope-test-issuer")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log")
    args = parser.parse_args()
    x5c = cert_der_b64(args.cert)
    expected_basic = "Basic " + base64.b64encode(args.user.encode()).decode()

    class Handler(LoggedHandler):
        log_path = args.log

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self.note()
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path != "/token" or query.get("service", [""])[0] != args.service:
                return self.answer(404, {"details": "no such token endpoint"})
            if self.headers.get("Authorization") != expected_basic:
                return self.answer(401, {"details": "incorrect username or password"})
            token = make_token(args, x5c, query.get("scope", []), args.user.split(":")[0])
            self.answer(200, {"token": token, "expires_in": 600})

        def do_POST(self):
            self.note()
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            if urllib.parse.urlparse(self.path).path != "/token":
                return self.answer(404, {"details": "no such token endpoint"})
            if (not args.refresh_token or form.get("grant_type") != ["refresh_token"] or
                    form.get("refresh_token") != [args.refresh_token]):
                return self.answer(401, {"error": "invalid_grant"})
            token = make_token(args, x5c, form.get("scope", []), "refresh-user")
            self.answer(200, {"access_token": token, "expires_in": 600})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve(server, args.port_file)


if __name__ == "__main__":
    main()
