"""OpenID Connect access tokens as principals: keys made here, tokens signed here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from graph.domain.errors import ConfigError
from graph.stores.contract import Store
from taiqu.settings import OidcSettings, Settings
from tests.api.conftest import Api, week_api

ISSUER, AUDIENCE = "https://sso.example.grid/realms/taiqu", "taiqu-api"
MOVE = 'mutation { meterMove(input: {meter: "M2", toArea: "T2", effective: "2026-11-05"}) { __typename ... on MeterMoved { changeset { actor } } } }'  # noqa: E501
READ = '{ transformer(code: "T1") { code } }'


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY, OTHER_KEY = _key(), _key()


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "zhang.z1",
        "iat": now,
        "exp": now + 300,
        "taiqu_role": "supply_station",
        "taiqu_org": "Z1",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _token(key: rsa.RSAPrivateKey = KEY, kid: str = "k1", **changes: Any) -> str:
    return jwt.encode(_claims(**changes), key, algorithm="RS256", headers={"kid": kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**public, "kid": "k1", "use": "sig"}]}))
    oidc = OidcSettings(ISSUER, AUDIENCE, str(jwks))
    yield from week_api(store, tmp_path, oidc=oidc)


def _status(api: Api, token: str, query: str = READ) -> int:
    response = api.client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


def test_a_valid_token_is_a_principal_with_its_role_and_unit(api: Api) -> None:
    headers = {"Authorization": f"Bearer {_token()}"}
    assert api.data(READ, headers=headers) == {"transformer": {"code": "T1"}}
    assert api.data('{ transformer(code: "T3") { code } }', headers=headers) == {
        "transformer": None  # Z2's: out of Z1's scope
    }
    moved = api.data(MOVE, headers=headers)["meterMove"]
    assert moved == {"__typename": "MeterMoved", "changeset": {"actor": "zhang.z1"}}


def test_tokens_that_are_not_good_enough_get_401(api: Api) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "k1"}).encode())
    unsigned = f"{header}.{_b64(json.dumps(_claims()).encode())}."
    # HMAC "signed" with the public key: the classic confusion of a key for a secret.
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    body = _b64(json.dumps(_claims()).encode())
    mac = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    confused = f"{head}.{body}.{_b64(mac)}"
    now = int(time.time())
    refused = {
        "alg none": unsigned,
        "HMAC with the public key": confused,
        "expired": _token(exp=now - 120, iat=now - 600),
        "another issuer": _token(iss="https://elsewhere.example/"),
        "another audience": _token(aud="someone-else"),
        "no expiry": _token(exp=None),
        "a key not in the JWKS": _token(OTHER_KEY),
        "an unknown key id": _token(kid="k2"),
        "an unknown role": _token(taiqu_role="admin"),
        "no org unit": _token(taiqu_org=None),
        "garbage": "not.a.token",
    }
    got = {name: _status(api, token) for name, token in refused.items()}
    assert got == dict.fromkeys(refused, 401)
    assert _status(api, _token()) == 200


def test_oidc_settings_are_whole_or_refused() -> None:
    env = {"TAIQU_OIDC_ISSUER": ISSUER, "TAIQU_OIDC_AUDIENCE": AUDIENCE}
    with pytest.raises(ConfigError, match="TAIQU_OIDC_JWKS"):
        Settings.from_env(env)
    with pytest.raises(ConfigError, match="https"):
        Settings.from_env({**env, "TAIQU_OIDC_JWKS": "http://sso/jwks"})
    chosen = Settings.from_env({**env, "TAIQU_OIDC_JWKS": "/etc/taiqu/jwks.json"}).oidc
    assert chosen == OidcSettings(ISSUER, AUDIENCE, "/etc/taiqu/jwks.json")
    assert Settings.from_env({}).oidc is None
