"""What every test server here does once its handler is set up."""
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler


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
    which the tests read to count requests and see where credentials went."""
    protocol_version = "HTTP/1.1"
    log_path = None
    _log_lock = threading.Lock()

    def log_message(self, *a):
        pass

    def note(self):
        if self.log_path:
            with self._log_lock, open(self.log_path, "a") as f:
                f.write("%s %s auth=%s\n" % (self.command, self.path.split("?")[0],
                                             "yes" if self.headers.get("Authorization") else "no"))
