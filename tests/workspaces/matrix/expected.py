"""What each caller should get: the general rule by rank, and the rules finer than a
route's least role (members' roles, invitations of admins, the personal workspace)."""

from dataclasses import dataclass, field

from teamnotes.workspaces.gate import RANK
from tests.workspaces.matrix.calls import RENAMED, Call, fixed_body
from tests.workspaces.matrix.world import CALLERS, ROLES


def by_rank(required: str, success: int) -> dict[str, int]:
    """The general rule: the route's success from `required` up, 403 below, 404 outside."""
    expected = {role: success if RANK[role] >= RANK[required] else 403 for role in ROLES}
    return expected | {"outsider": 404}


def only(allowed: dict[str, int], refused: int = 403) -> dict[str, int]:
    """`allowed` callers get their status, other members `refused`, outsiders 404."""
    return {role: allowed.get(role, refused) for role in ROLES} | {"outsider": 404}


def personal(owner: int) -> dict[str, int]:
    """In the owner's personal workspace, where everyone else is an outsider."""
    return dict.fromkeys(CALLERS, 404) | {"owner": owner}


@dataclass(frozen=True)
class Finer:
    """A rule finer than the route's least role, with what each caller gets."""

    endpoint: str
    scenario: str
    call: Call
    expected: dict[str, int] = field(hash=False)


OWNER_ONLY = {"owner": 200}
FINER = [
    Finer(
        "update_member",
        "an editor made an admin",
        Call(fixed_body({"role": "admin"}), "subject"),
        only(OWNER_ONLY),
    ),
    Finer(
        "update_member",
        "an admin made an editor",
        Call(fixed_body({"role": "editor"}), "admin2"),
        only(OWNER_ONLY),
    ),
    Finer(
        "update_member",
        "an owner made an admin",
        Call(fixed_body({"role": "admin"}), "owner2"),
        only(OWNER_ONLY),
    ),
    Finer(
        "update_member",
        "a viewer made an owner",
        Call(fixed_body({"role": "owner"}), "viewer"),
        only(OWNER_ONLY),
    ),
    Finer(
        "update_member",
        "the last owner steps down",
        Call(fixed_body({"role": "admin"}), "owner", sole_owner=True),
        only({"owner": 409}),
    ),
    Finer(
        "remove_member",
        "an editor removed",
        Call(member="subject"),
        only({"admin": 204, "owner": 204}),
    ),
    Finer("remove_member", "an admin removed", Call(member="admin2"), only({"owner": 204})),
    Finer("remove_member", "an owner removed", Call(member="owner2"), only({"owner": 204})),
    Finer(
        "remove_member",
        "the last owner removed or leaving",
        Call(member="owner", sole_owner=True),
        only({"owner": 409}),
    ),
    Finer(
        "create_invitation",
        "of an admin",
        Call(fixed_body({"role": "admin"})),
        only({"owner": 201}),
    ),
    Finer(
        "create_invitation",
        "of an owner",
        Call(fixed_body({"role": "owner"})),
        only({"owner": 201}),
    ),
    Finer(
        "create_invitation",
        "into the personal workspace",
        Call(fixed_body({"role": "editor"}), workspace="personal"),
        personal(403),
    ),
    Finer("delete_workspace", "the personal workspace", Call(workspace="personal"), personal(403)),
    Finer(
        "update_workspace",
        "the personal workspace",
        Call(fixed_body(RENAMED), workspace="personal"),
        personal(200),
    ),
    Finer("list_members", "of the personal workspace", Call(workspace="personal"), personal(200)),
]
