"""What every endpoint shares (API.md §1, §5, §6): request ids, the error body, body
limits, CORS, settings and probes (the offline docs: test_docs.py)."""
