"""Logins that last (API.md §2): refresh rotation, reuse detection, logout, and the
local account routes turned off with TEAMNOTES_LOCAL_AUTH=false."""
