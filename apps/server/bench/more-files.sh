#!/bin/sh
# The memory bench holds up to 20,000 sockets in one process (and as many in the server's):
# raise the open-files limit for the run where the system allows it, then run the command.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec "$@"
