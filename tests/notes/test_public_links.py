"""Public links (API.md §7): read-only pages of a note for anyone holding the link."""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from teamnotes.notes.models import PublicLink
from tests.factories import User, make_note, token_user
from tests.workspaces.support import MISSING_ID, assert_error, join, make_team

FIELDS = {"id", "token", "path", "created_by", "created_at", "expires_at"}
XSS = (
    "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
    "[click](javascript:alert(3)) <iframe src=//evil.example></iframe>"
)


@pytest.fixture
async def user(app: FastAPI) -> User:
    return await token_user(app)


async def publish(
    client: httpx.AsyncClient, user: User, note_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(f"/notes/{note_id}/links", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def age(app: FastAPI, link_id: str) -> None:
    """Make a link's expiry a moment ago."""
    async with app.state.database.write_session() as session, session.begin():
        await session.execute(
            update(PublicLink)
            .where(PublicLink.id == uuid.UUID(link_id))
            .values(expires_at=datetime.now(UTC) - timedelta(microseconds=1))
        )


class TestCreateLink:
    async def test_is_201_with_a_token_and_its_path(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        link = await publish(client, user, (await make_note(client, user))["id"])
        assert set(link) == FIELDS
        assert link["path"] == f"/p/{link['token']}"
        assert len(link["token"]) >= 32  # 192 random bits
        assert (link["created_by"], link["expires_at"]) == (user.id, None)

    async def test_a_future_expiry_is_kept_in_utc(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        note = await make_note(client, user)
        later = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
        sent = later.astimezone(timezone(timedelta(hours=2))).isoformat()
        link = await publish(client, user, note["id"], expires_at=sent)
        assert link["expires_at"] == later.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        assert (await client.get(link["path"])).status_code == 200

    async def test_a_past_expiry_is_422_and_makes_nothing(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        note = await make_note(client, user)
        past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        response = await client.post(
            f"/notes/{note['id']}/links", json={"expires_at": past}, headers=user.headers
        )
        assert_error(response, 422, "validation_error")
        assert response.json()["field"] == "expires_at"
        listed = await client.get(f"/notes/{note['id']}/links", headers=user.headers)
        assert listed.json()["total"] == 0

    async def test_of_an_unknown_note_is_404(self, client: httpx.AsyncClient, user: User) -> None:
        response = await client.post(f"/notes/{MISSING_ID}/links", headers=user.headers)
        assert_error(response, 404, "not_found", "Note not found")


class TestListAndRevokeLinks:
    async def test_newest_first_with_their_tokens(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        note = await make_note(client, user)
        made = [await publish(client, user, note["id"]) for _ in range(3)]
        listed = await client.get(f"/notes/{note['id']}/links", headers=user.headers)
        assert listed.json()["items"] == made[::-1]
        assert listed.json()["total"] == 3

    async def test_revoking_stops_the_link_at_once(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        note = await make_note(client, user)
        kept, revoked = [await publish(client, user, note["id"]) for _ in range(2)]
        path = f"/notes/{note['id']}/links/{revoked['id']}"
        assert (await client.get(revoked["path"])).status_code == 200
        assert (await client.delete(path, headers=user.headers)).status_code == 204
        assert (await client.get(revoked["path"])).status_code == 404
        assert (await client.get(kept["path"])).status_code == 200
        assert_error(
            await client.delete(path, headers=user.headers), 404, "not_found", "Link not found"
        )
        malformed = await client.delete(f"/notes/{note['id']}/links/nonsense", headers=user.headers)
        assert_error(malformed, 404, "not_found", "Link not found")

    async def test_viewers_list_them_but_neither_make_nor_revoke_them(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        viewer = await token_user(app)
        team = (await make_team(client, user))["id"]
        await join(app, team, viewer, "viewer")
        base = f"/workspaces/{team}/notes"
        note = (await client.post(base, json={"title": "T"}, headers=user.headers)).json()
        links = f"{base}/{note['id']}/links"
        link = (await client.post(links, headers=user.headers)).json()
        listed = await client.get(links, headers=viewer.headers)
        assert listed.json()["items"] == [link]
        assert_error(await client.post(links, headers=viewer.headers), 403, "forbidden")
        revoked = await client.delete(f"{links}/{link['id']}", headers=viewer.headers)
        assert_error(revoked, 403, "forbidden")
        assert (await client.get(links, headers=viewer.headers)).json()["total"] == 1


class TestPublicPage:
    async def test_is_a_whole_document_titled_by_the_note(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        note = await make_note(client, user, title='<b>Tom & "Jerry"</b>', content="# Chase\n\nOn.")
        link = await publish(client, user, note["id"])
        page = await client.get(link["path"])
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.text.startswith("<!DOCTYPE html>")
        assert "<title>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;</title>" in page.text
        assert "<h1>Chase</h1>" in page.text
        assert "<p>On.</p>" in page.text
        assert page.text.rstrip().endswith("</html>")

    async def test_runs_no_script(self, client: httpx.AsyncClient, user: User) -> None:
        note = await make_note(client, user, title="<script>alert(0)</script>", content=XSS)
        page = await client.get((await publish(client, user, note["id"]))["path"])
        lowered = page.text.lower()
        # What is left of them is text at most: no element, attribute or link runs it.
        for dangerous in ("<script", "onerror=", 'href="javascript', "<iframe"):
            assert dangerous not in lowered, dangerous
        policy = page.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src" not in policy

    async def test_headers_keep_it_private(self, client: httpx.AsyncClient, user: User) -> None:
        link = await publish(client, user, (await make_note(client, user))["id"])
        for accept in ("text/html", "application/json"):
            page = await client.get(link["path"], headers={"Accept": accept})
            assert page.headers["X-Robots-Tag"] == "noindex"
            assert page.headers["Referrer-Policy"] == "no-referrer"
            assert page.headers["Cache-Control"] == "no-store"

    async def test_as_json_it_is_the_current_note(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        note = await make_note(client, user, title="Plan", content="old")
        link = await publish(client, user, note["id"])
        changed = await client.patch(
            f"/notes/{note['id']}", json={"content": "new"}, headers=user.headers
        )
        page = await client.get(link["path"], headers={"Accept": "application/json"})
        assert page.headers["content-type"] == "application/json"
        assert page.json() == {
            "title": "Plan",
            "content": "new",
            "updated_at": changed.json()["updated_at"],
        }
        assert "<p>new</p>" in (await client.get(link["path"])).text

    async def test_expired_trashed_or_unknown_is_404(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        expiring, trashed = await make_note(client, user), await make_note(client, user)
        expired = await publish(client, user, expiring["id"])
        await age(app, expired["id"])
        of_trashed = await publish(client, user, trashed["id"])
        await client.delete(f"/notes/{trashed['id']}", headers=user.headers)
        for path in (expired["path"], of_trashed["path"], "/p/unknown", "/p/" + "x" * 300):
            for accept in ("text/html", "application/json"):
                page = await client.get(path, headers={"Accept": accept})
                assert_error(page, 404, "not_found", "Link not found")

    async def test_a_note_back_from_the_trash_is_shown_again(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        note = await make_note(client, user)
        link = await publish(client, user, note["id"])
        await client.delete(f"/notes/{note['id']}", headers=user.headers)
        assert (await client.get(link["path"])).status_code == 404
        restored = await client.post(f"/trash/{note['id']}/restore", headers=user.headers)
        assert restored.status_code == 200, restored.text
        assert (await client.get(link["path"])).status_code == 200
