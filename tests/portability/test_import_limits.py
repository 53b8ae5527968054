"""What an import refuses (API.md §10): bodies that are no zip, zip bombs, too many files,
text that is not UTF-8, items that break a rule — each 422 on `body`, naming the file,
and nothing imported."""

import io
from typing import Any

import httpx
import pytest

from teamnotes.portability.archive import Archive, ArchiveRefused
from tests.factories import make_user
from tests.portability import bombs
from tests.portability.support import listed, make_workspace, send_import, zipped

EXPORT = {"manifest.json": '{"format": "teamnotes", "format_version": 1}'}


async def refused(client: httpx.AsyncClient, body: bytes, naming: str) -> dict[str, Any]:
    """Import `body` into a new workspace: a 422 naming `naming`, and nothing there."""
    user = await make_user(client)
    team = await make_workspace(client, user)
    response = await send_import(client, user, team, body)
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()
    assert error["error_code"] == "validation_error"
    assert error["field"] == "body"
    assert error["errors"][0]["field"] == "body"
    assert naming in error["detail"]
    assert await listed(client, user, team, "notes") == []
    assert await listed(client, user, team, "tasks") == []
    return error


class TestNotAnArchive:
    @pytest.mark.parametrize(
        "body",
        [b"", b"just text", b"PK\x03\x04" + bytes(100), zipped({"a.md": "a"})[:-30]],
        ids=["empty", "text", "a-local-header-only", "truncated"],
    )
    async def test_is_422(self, client: httpx.AsyncClient, body: bytes) -> None:
        await refused(client, body, "not a zip archive")

    async def test_an_empty_zip_imports_nothing(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        response = await send_import(client, user, team, zipped({}))
        assert response.status_code == 200, response.text
        assert response.json() == {"notes": 0, "tasks": 0, "skipped": 0}


class TestZipBombs:
    async def test_a_gigabyte_in_a_megabyte_is_refused_unread(
        self, client: httpx.AsyncClient
    ) -> None:
        body = bombs.build([bombs.text("ok.md", "fine"), bombs.gigabyte("notes/bomb.md")])
        assert len(body) < 2 * 1024 * 1024
        await refused(client, body, "expands past")

    async def test_a_header_that_understates_its_size_yields_no_more(self) -> None:
        body = bombs.build([bombs.gigabyte("notes/bomb.md", declared=100)])
        archive = Archive(io.BytesIO(body), max_expanded=10 * 64 * 1024 * 1024)
        [entry] = archive.entries()
        assert archive.read(entry, most=1024 * 1024) == bytes(100)
        assert archive.expanded == 100

    async def test_a_header_that_understates_its_size_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        body = bombs.build([bombs.gigabyte("notes/bomb.md", declared=100)])
        await refused(client, body, "notes/bomb.md")  # a hundred NUL characters

    async def test_a_file_larger_than_any_note_is_refused_while_reading(self) -> None:
        body = bombs.build([bombs.gigabyte("notes/bomb.md", declared=bombs.GIB)])
        archive = Archive(io.BytesIO(body), max_expanded=2 * bombs.GIB)
        [entry] = archive.entries()
        with pytest.raises(ArchiveRefused, match=r"notes/bomb\.md: expands past the 1048576"):
            archive.read(entry, most=1024 * 1024)
        assert archive.expanded <= 1024 * 1024

    async def test_a_note_file_of_two_mebibytes_is_refused(self, client: httpx.AsyncClient) -> None:
        await refused(client, zipped({"big.md": "x" * (2 * 1024 * 1024)}), "big.md: expands past")


class TestTooManyFiles:
    async def test_ten_thousand_files_are_taken(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        files = {f"attachments/{number}.png": b"" for number in range(9_999)} | {"n.md": "n"}
        response = await send_import(client, user, team, zipped(files))
        assert response.json() == {"notes": 1, "tasks": 0, "skipped": 9_999}

    async def test_one_more_is_refused(self, client: httpx.AsyncClient) -> None:
        body = bombs.build([bombs.text(f"{number}.md", "x") for number in range(10_001)])
        await refused(client, body, "more than 10000 files")

    async def test_an_end_record_that_understates_the_count_is_not_believed(
        self, client: httpx.AsyncClient
    ) -> None:
        entries = [bombs.text(f"{number}.md", "x") for number in range(10_001)]
        await refused(client, bombs.build(entries, declared_count=1), "more than 10000 files")


class TestUnreadableFiles:
    async def test_a_note_that_is_not_utf8_is_refused(self, client: httpx.AsyncClient) -> None:
        body = zipped({"fine.md": "fine", "Notes/café.md": "café".encode("latin-1")})
        await refused(client, body, "Notes/café.md: not UTF-8")

    async def test_a_title_too_long_is_refused(self, client: httpx.AsyncClient) -> None:
        body = zipped({"first.md": "ok", "long.md": "# " + "x" * 201})
        error = await refused(client, body, "long.md: title:")
        assert "200" in error["detail"]

    async def test_content_with_a_nul_is_refused(self, client: httpx.AsyncClient) -> None:
        await refused(client, zipped({"nul.md": "a\x00b"}), "nul.md: content:")

    async def test_a_damaged_entry_is_refused(self, client: httpx.AsyncClient) -> None:
        entry = bombs.text("broken.md", "some text")
        damaged = bombs.Entry(entry.name, entry.data, entry.size, entry.crc ^ 1)
        await refused(client, bombs.build([damaged]), "broken.md: damaged")


class TestTasksFile:
    @pytest.mark.parametrize(
        ("tasks", "problem"),
        [
            ('{"title": "not in a list"}', "expected a JSON array"),
            ("[1]", "item 1 is not an object"),
            ('[{"title": "a"} {"title": "b"}]', "expected ',' or ']' after item 1"),
            ('[{"title": "a"}] more', "text after the array"),
            ('[{"title": "a"', "item 1:"),
            ('[{"title": "' + "x" * 70_000 + '"}]', "item 1 is longer than any task"),
            ('[{"title": "ok"}, {"title": ""}]', "task 2: title:"),
            ('[{"title": "t", "due_at": "1899-12-31T23:00:00Z"}]', "task 1: due_at:"),
            ('[{"title": "t", "order": 2147483648}]', "task 1: order:"),
        ],
    )
    async def test_a_tasks_file_breaking_a_rule_is_refused(
        self, client: httpx.AsyncClient, tasks: str, problem: str
    ) -> None:
        error = await refused(client, zipped({**EXPORT, "n.md": "n", "tasks.json": tasks}), problem)
        assert error["detail"].startswith("tasks.json")

    async def test_a_tasks_file_that_is_not_utf8_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        body = zipped({**EXPORT, "tasks.json": '[{"title": "caf\xe9"}]'.encode("latin-1")})
        await refused(client, body, "tasks.json: not UTF-8")
