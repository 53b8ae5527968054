"""The web app: plain ES modules served from the package (issue 16)."""
