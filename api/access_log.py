"""The access log: who asked which operation (the principal's name, the operation's name and
a hash of its document), never the variables nor the answer."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension


def document_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:16]


def _record(context: Any, operation: str | None, query: str, errors: Any) -> None:
    """The operation, its document's hash and its error codes in the request's observed
    record (api/observe.py; the principal is put there by api/authn.py); nothing outside
    HTTP (tests, tools)."""
    observed = getattr(context, "observed", None)
    if observed is None:
        return
    observed["operation"] = operation
    observed["document"] = document_hash(query)
    observed["codes"] = [str((e.extensions or {}).get("code")) for e in errors or []]


class AccessLog(SchemaExtension):
    """Records which operation ran in the request's observed record, which the access log
    line and the metrics are made of once the answer is sent."""

    def on_operation(self) -> Iterator[None]:
        yield
        ec = self.execution_context
        errors = ec.result.errors if ec.result else None
        _record(ec.context, ec.operation_name, ec.query or "", errors)


_NAMED = re.compile(r"\s*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)")


def record_kept(context: Any, query: str, operation_name: str | None, result: Any) -> None:
    """What AccessLog records, for an answer kept from an earlier request (no extension runs
    for it): the operation's name as asked, else as the document's first line names it."""
    named = _NAMED.match(query)
    operation = operation_name or (named.group(1) if named else None)
    _record(context, operation, query, result.errors)
