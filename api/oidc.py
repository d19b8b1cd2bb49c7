"""OpenID Connect access tokens (JWT) as principals, beside API keys (PyJWT does the checks).

Only asymmetric signatures are accepted (RS256/384/512, PS256, ES256/384, EdDSA), so neither
`alg: none` nor an HMAC "signed" with the public key passes; the token must carry `exp`, `iss`
and `aud`, be unexpired (30 s of clock skew) and name a known role and an org unit in the
configured claims. Keys come from a JWKS file (read once) or an https URL (PyJWKClient, which
keeps them and fetches again for a key id it does not know).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import jwt

from graph.domain.access import Principal, Role, name_problem
from taiqu.settings import OidcSettings

log = logging.getLogger("taiqu.api")

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
LEEWAY_S = 30


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


class OidcVerifier:
    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._client: jwt.PyJWKClient | None = None
        self._keys: jwt.PyJWKSet | None = None
        if settings.jwks.startswith("https://"):
            self._client = jwt.PyJWKClient(settings.jwks, cache_keys=True)
        else:
            raw = json.loads(Path(settings.jwks).read_text(encoding="utf-8"))
            self._keys = jwt.PyJWKSet.from_dict(raw)

    def _key(self, token: str) -> Any:
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        assert self._keys is not None
        kid = jwt.get_unverified_header(token).get("kid")
        matching = [k for k in self._keys.keys if kid is None or k.key_id == kid]
        if len(matching) != 1:
            raise jwt.InvalidKeyError("no single key of the JWKS matches the token's key id")
        return matching[0].key

    def principal(self, token: str, today: dt.date) -> Principal | None:
        """The principal a valid token names; None (logged at INFO, without the token) when
        it is not valid. Blocking (a JWKS URL may be fetched): call it off the event loop."""
        s = self.settings
        try:
            claims = jwt.decode(
                token,
                self._key(token),
                algorithms=ALGORITHMS,
                audience=s.audience,
                issuer=s.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud"]},
            )
            name, role, org = (str(claims.get(c, "")) for c in (s.name_claim, s.role_claim,
                                                                 s.org_claim))  # fmt: skip
            if name_problem(name) or not org:
                raise jwt.InvalidTokenError("no usable name or org unit in the token")
            checked = Role(role)
        except (jwt.PyJWTError, ValueError) as exc:
            log.info("access token refused: %s", type(exc).__name__)
            return None
        issued = claims.get("iat")
        created = dt.datetime.fromtimestamp(issued, dt.UTC) if issued else dt.datetime.now(dt.UTC)
        expires = dt.datetime.fromtimestamp(claims["exp"], dt.UTC).date()
        return Principal(name, checked, org, created, expires, False, None, "")
