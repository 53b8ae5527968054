"""X-Request-ID (API.md §1): echoed when sane, replaced when not, in every error body."""

import re

import httpx
import pytest

SANE_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


class TestRequestId:
    @pytest.mark.parametrize(
        "sent",
        [
            "a",
            "req-123",
            "0123456789abcdef0123456789abcdef",
            "~" * 128,
            "".join(chr(code) for code in range(0x21, 0x7F)),
        ],
    )
    async def test_a_sane_request_id_is_echoed(self, client: httpx.AsyncClient, sent: str) -> None:
        response = await client.get("/healthz", headers={"X-Request-ID": sent})
        assert response.headers["X-Request-ID"] == sent

    @pytest.mark.parametrize(
        "sent",
        [
            pytest.param(b"x" * 129, id="129-chars"),
            pytest.param(b"", id="empty"),
            pytest.param(b"has space", id="space"),
            pytest.param(b"tab\there", id="tab"),
            pytest.param("café".encode(), id="non-ascii"),
            pytest.param(b"del\x7f", id="del"),
        ],
    )
    async def test_an_insane_request_id_is_replaced(
        self, client: httpx.AsyncClient, sent: bytes
    ) -> None:
        response = await client.get("/nowhere", headers={"X-Request-ID": sent})
        assigned = response.headers["X-Request-ID"]
        assert assigned.encode() != sent
        assert SANE_ID.match(assigned)
        assert response.json()["request_id"] == assigned

    async def test_without_one_every_response_gets_a_fresh_one(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await client.get("/healthz")
        second = await client.get("/healthz")
        assert SANE_ID.match(first.headers["X-Request-ID"])
        assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]

    async def test_the_error_body_carries_the_same_id(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/notes", headers={"X-Request-ID": "trace-me"})
        assert response.status_code == 401
        assert response.headers["X-Request-ID"] == "trace-me"
        assert response.json()["request_id"] == "trace-me"
