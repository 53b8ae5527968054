"""Local accounts (API.md §2): register, log in by form or JSON, read yourself."""
