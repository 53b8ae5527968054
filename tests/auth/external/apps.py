"""The API made to trust the provider, and the clients that call it."""

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.app import create_app
from tests.auth.external.provider import AUDIENCE, ISSUER, JWKSServer, SigningKey, jwks_server
from tests.conftest import make_settings


def random_address() -> str:
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@asynccontextmanager
async def client_of(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=application, client=(random_address(), 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@asynccontextmanager
async def relying_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, jwks_url: str, **overrides: Any
) -> AsyncIterator[FastAPI]:
    """The API configured with the provider's three settings (and `overrides`)."""
    settings = make_settings(
        database_url,
        tmp_path_factory.mktemp("data"),
        jwt_jwks_url=jwks_url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        **overrides,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@dataclass
class Deployment:
    """A provider's JWKS endpoint and an API that trusts it, made for one test."""

    server: JWKSServer
    app: FastAPI
    client: httpx.AsyncClient


@asynccontextmanager
async def deployment(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    keys: list[SigningKey],
    **overrides: Any,
) -> AsyncIterator[Deployment]:
    with jwks_server(keys) as server:
        async with (
            relying_app(database_url, tmp_path_factory, server.url, **overrides) as application,
            client_of(application) as http,
        ):
            yield Deployment(server, application, http)


async def count_rows(app: FastAPI, statement: Any) -> int:
    async with app.state.database.reader.connect() as connection:
        return int((await connection.execute(statement)).scalar_one())


@dataclass(frozen=True)
class Provider:
    server: JWKSServer
    ed: SigningKey
    ec: SigningKey
    rsa: SigningKey

    def key(self, name: str) -> SigningKey:
        return {"ed25519": self.ed, "p256": self.ec, "rsa": self.rsa}[name]
