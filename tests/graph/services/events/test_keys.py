"""Idempotency keys (graph/services/events/keys.py), on both stores: a keyed change sent again
is written once and answered with its first write, also when two copies race; the same key
with another request, or a key that cannot be one, is refused with nothing written."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from graph.domain.changes import ChangesetRecord, keyed_changeset_id
from graph.domain.errors import EventRejected
from graph.domain.model import Rel
from graph.services.events.keys import IdempotencyKey, write_keyed_event
from graph.services.events.meters import meter_move
from graph.stores.contract import Store
from tests.graph.services.events.conftest import problems

JULY = dt.date(2026, 7, 1)
FIELDS: dict[str, object] = {"meter": "M2", "to_area": "T2", "effective": JULY}


def _move(net: Store, key: IdempotencyKey, to_area: str = "T2") -> ChangesetRecord:
    return write_keyed_event(net, lambda: meter_move(net, "M2", to_area, JULY, "李工"), key, None)


def test_a_change_sent_again_is_written_once(net: Store) -> None:
    version = net.version()
    key = IdempotencyKey.of("李工", "order-4711", "meterMove", FIELDS)
    first = _move(net, key)
    assert first.id == keyed_changeset_id("李工", "order-4711")
    assert first.details["client_mutation_id"] == "order-4711"
    again = _move(net, key)  # the answer was lost; the client sends it again
    assert again == first
    assert net.version() == version + 1
    assert [link.parent for link in net.links_of(Rel.HAS_METER, "M2")] == ["T1", "T2"]


def test_the_same_key_with_another_change_is_refused(net: Store) -> None:
    _move(net, IdempotencyKey.of("李工", "k1", "meterMove", FIELDS))
    version = net.version()
    other = IdempotencyKey.of("李工", "k1", "meterMove", {**FIELDS, "to_area": "T3"})
    with pytest.raises(EventRejected) as refused:
        _move(net, other, "T3")
    ((field, message),) = problems(refused)
    assert field == "clientMutationId"
    assert "was sent before with another change" in message
    assert net.version() == version


def test_keys_belong_to_their_writer(net: Store) -> None:
    mine = IdempotencyKey.of("李工", "k1", "meterMove", FIELDS)
    theirs = IdempotencyKey.of("王工", "k1", "meterMove", FIELDS)
    assert mine.changeset_id != theirs.changeset_id
    _move(net, mine)
    assert net.changeset(theirs.changeset_id) is None


@pytest.mark.parametrize("bad", ["", "  ", "k\x00", "k\u202e1", "x" * 129])
def test_a_key_that_cannot_be_one_is_refused(bad: str) -> None:
    with pytest.raises(EventRejected) as refused:
        IdempotencyKey.of("李工", bad, "meterMove", FIELDS)
    ((field, _),) = problems(refused)
    assert field == "clientMutationId"


def test_two_copies_at_once_land_once(net: Store) -> None:
    version = net.version()
    key = IdempotencyKey.of("李工", "race", "meterMove", FIELDS)
    start = threading.Barrier(2)
    answers: list[ChangesetRecord | BaseException] = []

    def send() -> None:
        start.wait()
        try:
            answers.append(_move(net, key))
        except BaseException as exc:  # kept to assert on below
            answers.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(a, ChangesetRecord) for a in answers), answers
    assert answers[0] == answers[1]
    assert net.version() == version + 1
