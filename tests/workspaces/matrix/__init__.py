"""The authorization matrix as data: how to call each route under a workspace, and
what each caller should get where the rule is finer than `REQUIRED_ROLE`.

A world is a team workspace with a member of every role (and the extra members that
role changes act on), a note with a public link, a task, a pending invitation, and a
second workspace where every caller is an editor, for moves to go to.

`routes` reads the route table, `calls` says how to call each route, `expected` what
each caller gets, and `world` makes the workspaces the calls go to.
"""
