"""What `teamnotes copy` prints as it goes: a bar on a terminal, plain lines elsewhere."""

import io

from teamnotes.portability.progress import progress_on


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestProgress:
    def test_a_terminal_gets_a_bar_per_table_redrawn_in_place(self) -> None:
        screen = Terminal()
        progress = progress_on(screen)
        progress.started("note", 4)
        progress.copied(2)
        progress.copied(2)
        progress.started("task", 0)
        drawn = screen.getvalue()
        assert drawn.count("\r") == 4
        assert "[" + "#" * 15 + "-" * 15 + "] 2/4" in drawn
        assert "[" + "#" * 30 + "] 4/4\n" in drawn
        assert drawn.endswith("] 0/0\n")

    def test_anything_else_gets_a_line_per_table(self) -> None:
        log = io.StringIO()
        progress = progress_on(log)
        progress.started("note", 4)
        progress.copied(4)
        progress.started("task", 1)
        assert log.getvalue() == "note: 4 rows\ntask: 1 rows\n"
