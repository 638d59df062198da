"""What every test server here does once its handler is set up."""
import os
import sys


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
