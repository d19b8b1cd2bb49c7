"""The access log: who asked which operation (the principal's name, the operation's name and
a hash of its document), never the variables nor the answer."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

log = logging.getLogger("taiqu.access")


def document_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:16]


class AccessLog(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        ec = self.execution_context
        principal = getattr(ec.context, "principal", None)
        log.info(
            "principal=%s operation=%s document=%s errors=%d",
            principal.name if principal else "-",
            ec.operation_name or "-",
            document_hash(ec.query or ""),
            len(ec.result.errors or []) if ec.result else 0,
        )
