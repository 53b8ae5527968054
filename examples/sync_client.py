"""Keep a local SQLite copy of one Team Notes workspace up to date (README: Syncing).

    TEAMNOTES_PASSWORD=... python examples/sync_client.py --url http://127.0.0.1:8000 \\
        --email ann@example.com [--workspace <id>] [--db copy.db]

1. Initial load: `GET …/changes` without a cursor, following `cursor` while
   `has_more` is true.
2. Live: `GET …/events` from that cursor. Each `change` event is applied to the copy
   together with its `id`, the cursor just after it, in one SQLite transaction.
3. Resume: when the stream ends (a deploy, a dropped connection, the access token
   expiring), reconnect with `Last-Event-ID`; after a restart, from the stored cursor.
4. Resync: `410 resync_required` says the cursor is older than the feed keeps: drop
   the copy and load it again.

It needs httpx only. The password comes from TEAMNOTES_PASSWORD, never the command line.
"""

import argparse
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import httpx

log = logging.getLogger("sync_client")

Change = dict[str, Any]


class LocalCopy:
    """The workspace's items, each as its GET returns it, and the cursor they reach."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        with self.db:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS item (kind TEXT, id TEXT, version INTEGER,"
                " body TEXT, PRIMARY KEY (kind, id))"
            )
            self.db.execute("CREATE TABLE IF NOT EXISTS sync (name TEXT PRIMARY KEY, value TEXT)")

    @property
    def cursor(self) -> str | None:
        row = self.db.execute("SELECT value FROM sync WHERE name = 'cursor'").fetchone()
        return None if row is None else str(row[0])

    def apply(self, changes: list[Change], cursor: str) -> None:
        """The changes and the cursor after them, all or nothing."""
        with self.db:
            for change in changes:
                key = (change["kind"], str(change["id"]))
                if change["action"] == "upsert":
                    self.db.execute(
                        "INSERT OR REPLACE INTO item VALUES (?, ?, ?, ?)",
                        (*key, change["version"], json.dumps(change["item"])),
                    )
                else:
                    self.db.execute("DELETE FROM item WHERE kind = ? AND id = ?", key)
            self.db.execute("INSERT OR REPLACE INTO sync VALUES ('cursor', ?)", (cursor,))

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM item")
            self.db.execute("DELETE FROM sync")


class ResyncRequired(Exception):
    """The server no longer keeps what happened since our cursor."""


class TokenRefused(Exception):
    """The access token was refused (expired, or its login ended)."""


class Unavailable(Exception):
    """The server cannot answer now (429, 5xx): try again in a while."""


class Login:
    """An access token, refreshed with the refresh token when it runs out."""

    def __init__(self, http: httpx.Client, email: str, password: str) -> None:
        self.http = http
        self._tokens = self._answer(
            http.post("/auth/token", json={"email": email, "password": password})
        )

    def _answer(self, response: httpx.Response) -> dict[str, Any]:
        response.raise_for_status()
        tokens: dict[str, Any] = response.json()
        tokens["expires_at"] = time.monotonic() + tokens["expires_in"]
        return tokens

    @property
    def headers(self) -> dict[str, str]:
        if time.monotonic() > self._tokens["expires_at"] - 1:
            self.refresh()
        return {"Authorization": f"Bearer {self._tokens['access_token']}"}

    def refresh(self) -> None:
        body = {"refresh_token": self._tokens["refresh_token"]}
        self._tokens = self._answer(self.http.post("/auth/refresh", json=body))


class Syncer:
    def __init__(self, http: httpx.Client, login: Login, base: str, copy: LocalCopy) -> None:
        self.http, self.login, self.base, self.copy = http, login, base, copy
        self.retry = 2.0  # seconds; the server's `retry:` field says otherwise

    def run_forever(self) -> None:
        while True:
            try:
                if self.copy.cursor is None:
                    self.load()
                self.follow()
            except ResyncRequired:
                log.info("resync: the cursor is older than the feed keeps; loading again")
                self.copy.clear()
                continue
            except TokenRefused:
                self.login.refresh()
                continue
            except (httpx.TransportError, Unavailable) as error:
                log.info("no stream (%r); reconnecting in %.1f s", error, self.retry)
            time.sleep(self.retry)

    def load(self) -> None:
        """The whole workspace, from scratch."""
        cursor, count = None, 0
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            response = self.http.get(
                f"{self.base}/changes", params=params, headers=self.login.headers
            )
            page = self._checked(response).json()
            self.copy.apply(page["changes"], page["cursor"])
            cursor, count = page["cursor"], count + len(page["changes"])
            if not page["has_more"]:
                log.info("loaded %d changes", count)
                return

    def follow(self) -> None:
        """Apply live changes until the stream ends."""
        cursor = self.copy.cursor
        assert cursor is not None
        log.info("following from %s", cursor)
        headers = self.login.headers | {"Last-Event-ID": cursor}
        # A stream sends a keepalive every 15 s at most: a minute of silence is a
        # dead connection.
        timeout = httpx.Timeout(10, read=60)
        with self.http.stream(
            "GET", f"{self.base}/events", headers=headers, timeout=timeout
        ) as response:
            self._checked(response)
            for event in events(response.iter_lines()):
                if "retry" in event:
                    self.retry = int(event["retry"]) / 1000
                if event.get("event") == "change":
                    self.copy.apply([json.loads(event["data"])], event["id"])
        log.info("the stream ended")

    @staticmethod
    def _checked(response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status == 410:
            raise ResyncRequired()
        if status == 401:
            raise TokenRefused()
        if status == 429 or status >= 500:
            raise Unavailable(status)
        if response.is_error:
            response.read()
            response.raise_for_status()  # anything else is a mistake of ours: stop
        return response


def events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Server-Sent Events: the fields of each block; comments skipped."""
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if fields:
                yield fields
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Keep a local copy of a workspace.")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--email", required=True)
    parser.add_argument("--workspace", help="a team workspace's id; the personal one without")
    parser.add_argument("--db", default="copy.db", help="the SQLite file of the copy")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    base = f"/workspaces/{args.workspace}" if args.workspace else ""
    with httpx.Client(base_url=args.url, timeout=10) as http:
        login = Login(http, args.email, os.environ["TEAMNOTES_PASSWORD"])
        Syncer(http, login, base, LocalCopy(args.db)).run_forever()


if __name__ == "__main__":
    main()
