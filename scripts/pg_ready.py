"""Exit 0 when a PostgreSQL server answers on HOST PORT (used by `make test` to decide on the PG run)."""

import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
try:
    with socket.create_connection((host, port), timeout=2):
        pass
except OSError:
    sys.exit(1)
