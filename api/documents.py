"""Documents sent by hash instead of by text.

- **Trusted documents** (`TAIQU_TRUSTED_DOCUMENTS`: a JSON file `{"<sha256>": "<document>"}`,
  the persisted-documents manifest client tool chains write): when set, an `integration`
  principal runs those documents only, by `documentId` ("sha256:<hex>" or "<hex>"),
  `extensions.persistedQuery.sha256Hash` or the same text; any other document is refused
  (403, FORBIDDEN). A system's operations are known and reviewed before it runs them.
- **Automatic persisted queries** (Apollo's protocol) for everyone else: a browser sends
  `extensions.persistedQuery {version: 1, sha256Hash}` without the text; unknown, it gets
  PERSISTED_QUERY_NOT_FOUND and sends the text with the hash once, which is checked and kept
  (in memory, per process, at most APQ_MAX documents).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

from api.http_protocol import Refusal
from graph.domain.errors import ConfigError

APQ_MAX = 4_096
_HEX = frozenset("0123456789abcdef")


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def _plain(hash_text: str) -> str | None:
    """A sha256 as 64 lower-case hex digits (a "sha256:" prefix allowed); None otherwise."""
    text = hash_text.removeprefix("sha256:").lower()
    return text if len(text) == 64 and set(text) <= _HEX else None


def read_trusted(path: Path) -> dict[str, str]:
    """The manifest at `path`, every hash checked against its document."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"TAIQU_TRUSTED_DOCUMENTS ({path}): {exc}") from exc
    if not isinstance(found, dict):
        raise ConfigError(f"TAIQU_TRUSTED_DOCUMENTS ({path}): not a JSON object of documents")
    documents: dict[str, str] = {}
    for key, document in found.items():
        plain = _plain(str(key))
        if plain is None or not isinstance(document, str) or sha256(document) != plain:
            raise ConfigError(
                f"TAIQU_TRUSTED_DOCUMENTS ({path}): {key!r} is not the sha256 of its document"
            )
        documents[plain] = document
    return documents


class Documents:
    def __init__(self, trusted: dict[str, str] | None) -> None:
        self._trusted = trusted
        self._apq: OrderedDict[str, str] = OrderedDict()

    def resolve(self, query: str | None, extensions: Any, integration: bool) -> str | None:
        """The document to run for a request (None: none sent, the caller says so); Refusal
        when it cannot run."""
        asked = _asked_hash(extensions)
        if integration and self._trusted is not None:
            return self._trusted_document(query, asked)
        if asked is None:
            return query
        if query is not None:
            if sha256(query) != asked:
                raise Refusal(400, "the sha256Hash is not the query's", "BAD_REQUEST")
            self._keep(asked, query)
            return query
        kept = self._apq.get(asked) or (self._trusted or {}).get(asked)
        if kept is None:
            raise Refusal(200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        if asked in self._apq:
            self._apq.move_to_end(asked)
        return kept

    def _trusted_document(self, query: str | None, asked: str | None) -> str:
        trusted = self._trusted or {}
        found = trusted.get(asked) if asked is not None else None
        if found is None and query is not None:
            found = trusted.get(sha256(query))
        if found is None:
            raise Refusal(
                403,
                "an integration principal runs trusted documents only (TAIQU_TRUSTED_DOCUMENTS): "
                "send its documentId",
                "FORBIDDEN",
            )
        return found

    def _keep(self, asked: str, query: str) -> None:
        self._apq[asked] = query
        self._apq.move_to_end(asked)
        while len(self._apq) > APQ_MAX:
            self._apq.popitem(last=False)


def _asked_hash(extensions: Any) -> str | None:
    """The hash a request asks for its document by: `documentId` (moved into `extensions` by
    api/app.py) or a persisted query's; None when it sends the text only."""
    document_id = extensions.get("documentId") if isinstance(extensions, dict) else None
    if document_id is not None:
        plain = _plain(str(document_id))
        if plain is None:
            raise Refusal(400, "documentId: not a sha256 (sha256:<hex>)", "BAD_REQUEST")
        return plain
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if not isinstance(persisted, dict):
        return None
    if persisted.get("version") != 1:
        raise Refusal(400, "persistedQuery: only version 1 is known", "BAD_REQUEST")
    plain = _plain(str(persisted.get("sha256Hash") or ""))
    if plain is None:
        raise Refusal(400, "persistedQuery.sha256Hash: not a sha256", "BAD_REQUEST")
    return plain
