"""Offset pagination (API.md §1 Lists): the query parameters and the page envelope."""

from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Depends, Query, Response
from pydantic import BaseModel, Field

ItemT = TypeVar("ItemT")

MAX_OFFSET = 2**63 - 1  # the largest OFFSET both engines take


class PageParams(BaseModel):
    limit: int
    offset: int


async def page_params(
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int = Field(ge=0, description="Rows matching, on every page.")
    limit: int = Field(ge=1, le=100)
    offset: int = Field(ge=0)


def page_response(values: dict[str, Any]) -> Response:
    """A page's answer from its JSON values, serialised once."""
    return Response(orjson.dumps(values), media_type="application/json")
