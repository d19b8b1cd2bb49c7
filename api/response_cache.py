"""Answers of queries kept for the next identical request, never served once they could differ.

An answer depends on the request (document, operation, variables), on who asks (the reader's
scope: every reader sees the same today; the departments issue scopes it per principal), on
the day ("today" is the default as-of date and bounds every period) and on the data: the
topology store's version, which every write bumps (in whichever process it ran), and the loss
copy's generation, which every readings import and sync bumps, and the targets' version, which
every target write bumps. The three are read before each request; when one moved, everything
kept is dropped. An answer is kept only when it is a
query's and carries no error; it is stored under the state read *before* it was computed, so
a write that lands meanwhile makes it unreachable, never wrong.

Bounded by the bytes of the answers' JSON, least recently used first out.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from strawberry.types import ExecutionResult

State = tuple[int, int, int]  # (topology store version, loss copy generation, targets version)
_DOCUMENTS = 256  # documents whose operation types are remembered


@dataclass(frozen=True)
class RequestKey:
    query: str
    operation_name: str | None
    variables: str  # canonical JSON
    scope: object
    today: dt.date


def request_key(
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    scope: object,
    today: dt.date,
) -> RequestKey | None:
    """The key of a request, None when its variables cannot be put in one."""
    try:
        canonical = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return RequestKey(query, operation_name, canonical, scope, today)


class ResponseCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._state: State | None = None
        self._answers: OrderedDict[RequestKey, tuple[ExecutionResult, int]] = OrderedDict()
        self._bytes = 0
        self._kinds: OrderedDict[str, dict[str | None, OperationType] | None] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: RequestKey, state: State) -> ExecutionResult | None:
        """The answer kept for `key`, when the data is still in `state` (just read)."""
        with self._lock:
            self._follow(state)
            found = self._answers.get(key)
            if found is None:
                return None
            self._answers.move_to_end(key)
            return found[0]

    def put(self, key: RequestKey, state: State, result: ExecutionResult) -> None:
        """Keep `result`, computed from `state`, when it may answer the same request again."""
        if result.errors or result.data is None or not self.is_query(key):
            return
        size = len(json.dumps(result.data, default=str, ensure_ascii=False).encode())
        size += len(key.query) + len(key.variables)
        if size > self.max_bytes // 8:  # one huge answer must not push out all the others
            return
        with self._lock:
            if self._state is None:
                self._state = state
            if state != self._state:  # the data moved on while it was computed
                return
            old = self._answers.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._answers[key] = (result, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._answers.popitem(last=False)
                self._bytes -= dropped

    def __len__(self) -> int:
        return len(self._answers)

    def _follow(self, state: State) -> None:
        """Drop everything kept from another state (the data changed, or went back)."""
        if state != self._state:
            self._answers.clear()
            self._bytes = 0
            self._state = state

    def is_query(self, key: RequestKey) -> bool:
        """Whether the request runs a query (not a mutation or subscription)."""
        with self._lock:
            known = key.query in self._kinds
            kinds = self._kinds.get(key.query)
        if not known:
            kinds = _operation_kinds(key.query)
            with self._lock:
                self._kinds[key.query] = kinds
                while len(self._kinds) > _DOCUMENTS:
                    self._kinds.popitem(last=False)
        if not kinds:
            return False
        if key.operation_name is None:
            return len(kinds) == 1 and next(iter(kinds.values())) == OperationType.QUERY
        return kinds.get(key.operation_name) == OperationType.QUERY


def _operation_kinds(query: str) -> dict[str | None, OperationType] | None:
    try:
        document = parse(query)
    except GraphQLError:
        return None
    return {
        (d.name.value if d.name else None): d.operation
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    }
