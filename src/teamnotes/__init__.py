"""Team Notes: Markdown notes and a task list for every user, over a JSON API."""

__version__ = "0.1.0"
