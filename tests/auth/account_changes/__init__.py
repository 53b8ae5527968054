"""Changing and deleting one's own account (API.md §2): PATCH and DELETE /auth/me."""
