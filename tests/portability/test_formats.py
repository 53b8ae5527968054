"""The pieces of the formats, on their own: file names, front matter, a damaged zip's
directory, and the times an import reads."""

import io
import struct
from datetime import UTC, date, datetime

import pytest

from teamnotes.portability import frontmatter
from teamnotes.portability.archive import Archive, ArchiveRefused
from teamnotes.portability.names import UniqueNames, safe_stem
from tests.portability import bombs


class TestFileNames:
    @pytest.mark.parametrize(
        ("title", "stem"),
        [
            ("...", "Untitled"),
            ("lpt1.txt", "_lpt1.txt"),
            ("a\nb\tc   d", "a b c d"),
            ("e\u0301", "é"),  # composed, as macOS and Windows expect to compare it
        ],
    )
    def test_a_title_becomes_a_safe_name(self, title: str, stem: str) -> None:
        assert safe_stem(title) == stem

    def test_a_long_title_is_cut_within_255_bytes(self) -> None:
        stem = safe_stem("日本" * 100)
        assert len((stem + " (99999).md").encode()) <= 255
        assert stem.startswith("日本日本")

    def test_names_differ_from_every_name_given_before(self) -> None:
        names = UniqueNames()
        taken = [names.take(stem, ".md") for stem in ("Note", "NOTE", "note (2)", "Note")]
        assert taken == ["Note.md", "NOTE (2).md", "note (2) (2).md", "Note (3).md"]


class TestFrontMatter:
    def test_written_front_matter_reads_back_whatever_the_title(self) -> None:
        fields = {"id": "x", "title": "a: b # 'c' \"d\" - [e] " + "f" * 150, "created_at": "2020"}
        document = frontmatter.parse(frontmatter.with_front_matter(fields, "---\nbody"))
        assert (document.fields, document.body) == (fields, "---\nbody")

    @pytest.mark.parametrize(
        ("text", "fields", "body"),
        [
            ("---\n---\nbody", {}, "body"),
            ("---\n- a list\n---\nbody", {}, "---\n- a list\n---\nbody"),
            ("---\ndate: 0000-01-01\n---\nbody", {}, "---\ndate: 0000-01-01\n---\nbody"),
            ("---\nno end\n", {}, "---\nno end\n"),
            ("---\r\ntitle: T\r\n...\r\nbody", {"title": "T"}, "body"),
        ],
    )
    def test_what_counts_as_front_matter(
        self, text: str, fields: dict[str, str], body: str
    ) -> None:
        document = frontmatter.parse(text)
        assert (document.fields, document.body) == (fields, body)

    @pytest.mark.parametrize(
        ("value", "text"),
        [("T", "T"), (2024, "2024"), (1.5, "1.5"), (date(2024, 1, 2), "2024-01-02"), (True, None)],
    )
    def test_scalars_make_titles(self, value: object, text: str | None) -> None:
        assert frontmatter.as_text(value) == text

    @pytest.mark.parametrize(
        ("value", "moment"),
        [
            ("2024-01-02T03:04:05+02:00", datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)),
            (datetime(2024, 1, 2, 3, 4, 5), datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
            (date(2024, 1, 2), datetime(2024, 1, 2, tzinfo=UTC)),
            ("not a date", None),
            (20240102, None),
            ("0001-01-01T00:00:00+01:00", None),  # before the calendar, in UTC
        ],
    )
    def test_dates_and_times_are_read_as_utc(self, value: object, moment: datetime | None) -> None:
        assert frontmatter.as_timestamp(value) == moment


class TestDamagedDirectory:
    def test_a_directory_said_to_start_before_the_file_is_refused(self) -> None:
        body = bytearray(bombs.build([bombs.text("a.md", "a")]))
        struct.pack_into("<I", body, len(body) - 10, 10**6)  # the directory's size
        with pytest.raises(ArchiveRefused, match="not a zip archive"):
            Archive(io.BytesIO(bytes(body)), max_expanded=10**6)

    def test_a_directory_record_without_its_signature_is_refused(self) -> None:
        body = bombs.build([bombs.text("a.md", "a")])
        with pytest.raises(ArchiveRefused, match="not a zip archive"):
            Archive(io.BytesIO(body.replace(b"PK\x01\x02", b"PK\x01\x03")), max_expanded=10**6)
