"""An app over each store, loaded with the small network, and a store that counts its calls."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph.domain.access import Principal, Role, token_hash
from graph.services.principals import top_unit
from graph.stores.contract import Store
from loaders.load import load_folder
from taiqu.settings import Settings
from tests.builder import small_network, small_network_with_a_week

TODAY = dt.date(2026, 11, 28)
NOW = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)


class CountingStore:
    """Passes every call through and counts it: one call is one store round trip. The
    version read before each request (is a kept answer still good, api/response_cache.py)
    is counted apart, in `version_reads`, and so are API key lookups (`key_lookups`): `calls`
    are what answering the query cost."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self.version_reads = 0
        self.key_lookups = 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        def counted(*args: Any, **kwargs: Any) -> Any:
            if name in ("version", "versions"):
                self.version_reads += 1
            elif name == "principal_by_key":  # who asks (api/authn.py), not what is asked
                self.key_lookups += 1
            else:
                self.calls[name] += 1
            return target(*args, **kwargs)

        return counted


class Api:
    def __init__(self, client: TestClient, store: CountingStore) -> None:
        self.client = client
        self.store = store

    def query(
        self,
        text: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = self.client.post(
            "/graphql", json={"query": text, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    def data(
        self,
        text: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body = self.query(text, variables, headers)
        assert "errors" not in body, body["errors"]
        return body["data"]


READER_KEY = "tq_test-reader-key-for-the-api-tests-000000"


def add_principal(
    store: Store, name: str, key: str, role: Role, org: str | None = None, **more: Any
) -> Principal:
    """A principal holding `key` (made in the store directly: tests choose their keys)."""
    known = {p.name: p for p in store.principals()}
    if name in known:
        return known[name]
    unit = (top_unit(store) or "-") if org is None else org
    principal = Principal(name, role, unit, NOW, key_hash=token_hash(key), **more)
    store.add_principal(principal)
    return principal


def make_api(
    store: Store,
    tmp_path: Path,
    home: str = "unused",
    writers: tuple[tuple[str, str], ...] = (),
    **settings: Any,
) -> Iterator[Api]:
    """An app over `store`; loss is read from the series folder under tmp_path / home.

    Requests carry the key of "reader" (marketing at the top unit: reads everything, sends no
    change events) unless they give their own header; `writers` (name, key) are supply
    stations at the top unit (every change event, everywhere)."""
    add_principal(store, "reader", READER_KEY, Role.MARKETING)
    for name, key in writers:
        add_principal(store, name, key, Role.SUPPLY_STATION)
    counting = CountingStore(store)
    # The loss-copy watcher's version checks are not a query's round trips: off unless asked.
    settings.setdefault("sync_check_ms", 600_000)
    app = create_app(Settings(home=tmp_path / home, **settings), store=counting)  # type: ignore[arg-type]
    with TestClient(app, headers={"Authorization": f"Bearer {READER_KEY}"}) as client:
        client.post("/graphql", json={"query": "{ __typename }"})  # the reader's scope, found
        counting.calls.clear()  # start-up (the series copy's sync) is not a query's round trip
        counting.version_reads = 0
        yield Api(client, counting)


def week_api(store: Store, tmp_path: Path, **settings: Any) -> Iterator[Api]:
    """An app over `store` loaded with small_network_with_a_week (the topology and its week of
    readings, series under tmp_path / "home")."""
    series = Settings(home=tmp_path / "home").series_folder()
    net = small_network_with_a_week().write(tmp_path / "net")
    load_folder(store, net, today=TODAY, series=series)
    yield from make_api(store, tmp_path, home="home", **settings)


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Iterator[Api]:
    load_folder(store, small_network().write(tmp_path / "src"), today=TODAY)
    yield from make_api(store, tmp_path)
