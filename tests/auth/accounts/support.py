"""What the accounts tests share: registering, and the password hash it stores."""

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from teamnotes.auth.models import User as UserRow
from tests.factories import PASSWORD

# OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
ARGON2ID_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"
JSON = {"Content-Type": "application/json"}


async def register(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/auth/register", json={"password": PASSWORD, **body})


async def stored_hash(app: FastAPI, email: str) -> str:
    async with app.state.database.reader.connect() as connection:
        statement = select(UserRow.password_hash).where(UserRow.email == email)
        return str((await connection.execute(statement)).scalar_one())
