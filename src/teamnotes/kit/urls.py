"""Database URLs as operators write them, and as the async drivers take them."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# libpq spells TLS as `sslmode`; asyncpg takes the same values as `ssl`. asyncpg has
# no `channel_binding` switch (it negotiates SCRAM itself), so hosted providers' URLs
# that carry it would otherwise fail with an unexpected keyword.
_LIBPQ_ONLY_PARAMS = frozenset({"channel_binding"})


def async_url(url: str) -> str:
    """Map the URLs operators paste (`postgres://…?sslmode=require`) onto async drivers."""
    scheme, _, rest = url.partition("://")
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base not in ("postgres", "postgresql"):
        raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite or postgresql")
    parts = urlsplit(f"postgresql+asyncpg://{rest}")
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in _LIBPQ_ONLY_PARAMS:
            continue
        query.append(("ssl" if key == "sslmode" else key, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def is_memory_sqlite(url: str) -> bool:
    path = url.partition("://")[2]
    return path in ("", "/", "/:memory:") or "mode=memory" in path
