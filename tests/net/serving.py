"""What every test server here does once its handler is set up."""
import os
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(server, port_file=None):
    """Announces SERVER's port in PORT_FILE (renamed into place, so a waiting
    test never reads half a number), then serves until interrupted."""
    if port_file:
        with open(port_file + ".tmp", "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(port_file + ".tmp", port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


class LoggedHandler(BaseHTTPRequestHandler):
    """Quiet on stderr; note() appends "METHOD PATH auth=yes|no" to LOG_PATH,
    which the tests read to count requests and see where credentials went.
    With LOG_ORIGIN it adds " origin=SCHEME://HOST" (HOST as the client
    named it, in its Host header): which of one server's names was asked."""
    protocol_version = "HTTP/1.1"
    log_path = None
    log_origin = False
    _log_lock = threading.Lock()

    def log_message(self, *a):
        pass

    def note(self):
        if self.log_path:
            line = "%s %s auth=%s" % (self.command, self.path.split("?")[0],
                                      "yes" if self.headers.get("Authorization") else "no")
            if self.log_origin:
                scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
                line += " origin=%s://%s" % (scheme, self.headers.get("Host", "?"))
            with self._log_lock, open(self.log_path, "a") as f:
                f.write(line + "\n")


class OriginServer(ThreadingHTTPServer):
    """A server that also speaks TLS on its port when given a certificate:
    a connection whose first byte is a TLS handshake's is wrapped, any other
    is plain HTTP. So one port serves http:// and https://, and a redirect
    between them changes the scheme alone."""
    daemon_threads = True
    tls = None  # an ssl.SSLContext, or None: plain HTTP only

    def get_request(self):
        conn, addr = self.socket.accept()
        if self.tls:
            conn.settimeout(10)
            if conn.recv(1, socket.MSG_PEEK) == b"\x16":
                conn = self.tls.wrap_socket(conn, server_side=True)
            conn.settimeout(None)
        return conn, addr


def origin_servers(handler, ipv6, cert=None, key=None, tries=20):
    """Servers of HANDLER on 127.0.0.1 and, with IPV6, [::1] at the same port
    (the kernel picks it; another is tried if [::1] has it taken)."""
    tls = None
    if cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
    for _ in range(tries):
        v4 = OriginServer(("127.0.0.1", 0), handler)
        v4.tls = tls
        if not ipv6:
            return [v4]

        class V6(OriginServer):
            address_family = socket.AF_INET6
        try:
            v6 = V6(("::1", v4.server_address[1]), handler)
        except OSError:
            v4.server_close()
            continue
        v6.tls = tls
        return [v4, v6]
    raise OSError("no port free on both 127.0.0.1 and [::1]")


def serve_all(servers, port_file):
    """serve() for the first server, the others on threads of their own."""
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    serve(servers[0], port_file)
