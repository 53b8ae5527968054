"""`make bench`: Team Notes under load, on SQLite and on PostgreSQL, against its ceiling
(run with `python -m bench`; what it does is in bench/__main__.py)."""
