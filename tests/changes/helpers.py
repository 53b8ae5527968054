"""What the change tests make and read through the API, in-process or on a socket."""

from typing import Any

import httpx

from tests.factories import User


async def team(http: httpx.AsyncClient, owner: User, name: str = "Team") -> str:
    """A new team workspace of `owner`'s: its id."""
    made = await http.post("/workspaces", json={"name": name}, headers=owner.headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def join(
    http: httpx.AsyncClient, admin: User, member: User, workspace_id: str, role: str = "editor"
) -> None:
    """`member` joins the workspace with `role`, invited by `admin`."""
    invited = await http.post(
        f"/workspaces/{workspace_id}/invitations", json={"role": role}, headers=admin.headers
    )
    assert invited.status_code == 201, invited.text
    accepted = await http.post(
        "/invitations/accept", json={"token": invited.json()["token"]}, headers=member.headers
    )
    assert accepted.status_code == 200, accepted.text


async def feed_page(
    http: httpx.AsyncClient, base: str, user: User, cursor: str | None, limit: int = 100
) -> dict[str, Any]:
    """One answer of `{base}/changes` (base: "" or "/workspaces/{id}")."""
    params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
    response = await http.get(f"{base}/changes", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def follow_feed(
    http: httpx.AsyncClient, base: str, user: User, cursor: str | None, limit: int = 100
) -> tuple[list[dict[str, Any]], str]:
    """Every change after `cursor`, following cursors until has_more is false."""
    seen: list[dict[str, Any]] = []
    while True:
        page = await feed_page(http, base, user, cursor, limit)
        seen += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return seen, cursor


def apply(copy: dict[tuple[str, str], dict[str, Any]], change: dict[str, Any]) -> None:
    """What a client's copy does with one change: keyed by (kind, id)."""
    key = (change["kind"], change["id"])
    if change["action"] == "upsert":
        copy[key] = change["item"]
    else:
        copy.pop(key, None)


async def listed(http: httpx.AsyncClient, base: str, user: User) -> dict[tuple[str, str], Any]:
    """Every note and task of the workspace as its lists show them, every page."""
    items: dict[tuple[str, str], Any] = {}
    for kind in ("note", "task"):
        offset = 0
        while page := await _list_page(http, f"{base}/{kind}s", user, offset):
            items |= {(kind, item["id"]): item for item in page}
            offset += len(page)
    return items


async def _list_page(
    http: httpx.AsyncClient, path: str, user: User, offset: int
) -> list[dict[str, Any]]:
    response = await http.get(path, params={"limit": 100, "offset": offset}, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]
