"""Real `teamnotes serve` processes, spoken to over loopback.

What only a deployment shows: several processes starting together on a fresh
database, a server killed with SIGKILL, worker processes writing to one SQLite
file, and the body-size limit enforced on a real socket. Every process is started
in a session of its own, so it and its workers die together, and none outlives
its test.
"""
