"""Idempotency keys: a change event sent again after a lost answer is written once.

A writer may name a change with a key of its own (GraphQL `clientMutationId`). The changeset
of a keyed change has an id derived from the writer and the key (graph.domain.changes), and
its details keep the key and a digest of the request. Sent again, the change is not checked or
written a second time: the first changeset is the answer. Two copies sent at once cannot both
land: the second finds the graph changed under it, or the changeset id taken, and answers with
the first. The same key with another request is refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from graph.domain.changes import ChangesetRecord, keyed_changeset_id, request_fingerprint
from graph.domain.codes import code_problem
from graph.domain.errors import EventRejected, FieldProblem
from graph.series.files import SeriesFolder
from graph.services.events.base import CheckedEvent, write_event
from graph.stores.contract import Store

KEY_FIELD = "clientMutationId"
KEY_DETAIL = "client_mutation_id"
REQUEST_DETAIL = "request_sha256"
MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class IdempotencyKey:
    actor: str
    key: str
    fingerprint: str  # request_fingerprint of what the event asked for

    @classmethod
    def of(cls, actor: str, key: str, kind: str, fields: dict[str, object]) -> IdempotencyKey:
        """The key of one request; refused (naming the input field) when it cannot be one."""
        problem = code_problem(key)
        if not key.strip():
            problem = "is empty"
        elif len(key) > MAX_KEY_LENGTH:
            problem = f"is longer than {MAX_KEY_LENGTH} characters"
        if problem:
            raise EventRejected([FieldProblem(KEY_FIELD, f"{KEY_FIELD} {problem}")])
        return cls(actor, key, request_fingerprint(kind, fields))

    @property
    def changeset_id(self) -> str:
        return keyed_changeset_id(self.actor, self.key)


def earlier_write(store: Store, key: IdempotencyKey) -> ChangesetRecord | None:
    """The changeset this key already wrote, if any; the key sent with another request is
    refused."""
    found = store.changeset(key.changeset_id)
    if found is None:
        return None
    if found.details.get(REQUEST_DETAIL) != key.fingerprint:
        message = (
            f"{KEY_FIELD} {key.key!r} was sent before with another change (changeset "
            f"{found.id}): a new change needs a new key"
        )
        raise EventRejected([FieldProblem(KEY_FIELD, message)])
    return found


def with_key(event: CheckedEvent, key: IdempotencyKey) -> CheckedEvent:
    """The event written under the key's changeset id, the key and the digest in its details."""
    record = event.changes.record
    assert record is not None
    details = {**record.details, KEY_DETAIL: key.key, REQUEST_DETAIL: key.fingerprint}
    keyed = dataclasses.replace(record, id=key.changeset_id, details=details)
    return CheckedEvent(event.version, dataclasses.replace(event.changes, record=keyed))


def write_keyed_event(
    store: Store,
    check: Callable[[], CheckedEvent],
    key: IdempotencyKey,
    series: SeriesFolder | None,
) -> ChangesetRecord:
    """The first write of this key, or the write now of the checked event."""
    found = earlier_write(store, key)
    if found is not None:
        return found
    try:
        return write_event(store, with_key(check(), key), series)
    except Exception:
        found = earlier_write(store, key)  # a copy sent at the same time was written first
        if found is not None:
            return found
        raise
