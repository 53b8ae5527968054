"""Verified tokens are remembered until they expire, and never beyond."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from teamnotes.auth import dependencies
from teamnotes.auth.dependencies import Authenticator
from teamnotes.auth.tokens import AccessClaims, TokenIssuer
from teamnotes.kit.errors import InvalidToken


class CountingIssuer(TokenIssuer):
    """The real issuer, counting the signatures it checks."""

    checked: list[str]

    def access_claims(self, token: str) -> AccessClaims:
        self.checked.append(token)
        return super().access_claims(token)


def _authenticator() -> tuple[Authenticator, CountingIssuer]:
    issuer = CountingIssuer("s" * 48, timedelta(minutes=15), timedelta(days=1))
    object.__setattr__(issuer, "checked", [])
    return Authenticator(issuer, external=None), issuer


class TestVerifiedTokenCache:
    async def test_a_token_is_verified_once_then_remembered(self) -> None:
        authenticator, issuer = _authenticator()
        token = issuer.access_token("user-1", session_id="login-1")
        first = await authenticator.principal(token)
        assert await authenticator.principal(token) == first
        assert (first.id, first.session_id) == ("user-1", "login-1")
        assert issuer.checked == [token]

    async def test_a_remembered_token_is_checked_again_once_it_expires(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        authenticator, issuer = _authenticator()
        token = issuer.access_token("user-1")
        await authenticator.principal(token)
        later = datetime.now(UTC) + timedelta(minutes=16)
        monkeypatch.setattr(dependencies.time, "time", later.timestamp)
        # Past its expiry the signature check runs again (and, at the real clock,
        # still passes): the cache never extends a token's life.
        await authenticator.principal(token)
        assert issuer.checked == [token, token]

    async def test_a_token_valid_only_by_the_leeway_is_not_remembered(self) -> None:
        authenticator, issuer = _authenticator()
        issued = datetime.now(UTC) - timedelta(minutes=15, seconds=10)
        token = issuer.access_token("user-1", now=issued)
        await authenticator.principal(token)
        await authenticator.principal(token)
        assert issuer.checked == [token, token]

    async def test_a_forged_token_is_never_remembered(self) -> None:
        authenticator, issuer = _authenticator()
        forged = jwt.encode({"sub": "user-1"}, "another secret of enough length!!", "HS256")
        for _ in range(2):
            with pytest.raises(InvalidToken):
                await authenticator.principal(forged)
        assert issuer.checked == [forged, forged]
