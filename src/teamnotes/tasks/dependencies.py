"""Who may act under the user-scoped paths (`/api/{user_id}/tasks…`)."""

from typing import Annotated

from fastapi import Path, Request

from teamnotes.tasks.service import TaskNotFound
from teamnotes.workspaces.dependencies import PersonalAccessScheme
from teamnotes.workspaces.gate import Access


class UserScopedAccess(PersonalAccessScheme):
    """`/api/{user_id}/…` belongs to the caller alone: anyone else's is not found."""

    async def __call__(  # type: ignore[override]
        self,
        request: Request,
        user_id: Annotated[str, Path(description="The caller's own user id; any other is 404.")],
    ) -> Access:
        access = await super().__call__(request)
        if user_id != access.user_id:
            raise TaskNotFound()
        return access


user_scoped_access = UserScopedAccess()
