"""How `teamnotes copy` shows its progress: a bar per table on a terminal, and a plain
line per table anywhere else (a log, a pipe), where a redrawn bar would be noise."""

from typing import TextIO

from teamnotes.portability.copy import Progress

_WIDTH = 30


def progress_on(stream: TextIO) -> Progress:
    """A bar that redraws on `stream` when it is a terminal, else one line per table."""
    if stream.isatty():
        return _Bar(stream).progress()
    return _Lines(stream).progress()


class _Bar:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.table = ""
        self.total = self.done = 0

    def progress(self) -> Progress:
        return Progress(started=self.started, copied=self.copied)

    def started(self, table: str, total: int) -> None:
        self.table, self.total, self.done = table, total, 0
        self.draw()

    def copied(self, rows: int) -> None:
        self.done += rows
        self.draw()

    def draw(self) -> None:
        filled = _WIDTH if self.total == 0 else _WIDTH * self.done // self.total
        bar = "#" * filled + "-" * (_WIDTH - filled)
        end = "\n" if self.done >= self.total else ""
        self.stream.write(f"\r{self.table:<24} [{bar}] {self.done}/{self.total}{end}")
        self.stream.flush()


class _Lines:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def progress(self) -> Progress:
        return Progress(started=self.started, copied=lambda _rows: None)

    def started(self, table: str, total: int) -> None:
        self.stream.write(f"{table}: {total} rows\n")
        self.stream.flush()
