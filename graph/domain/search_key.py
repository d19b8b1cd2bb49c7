"""The lowercased key that both stores search, and the rank of a hit (shared so they agree)."""

from __future__ import annotations

from graph.domain.model import Entity, Kind

SEP = "\u0001"  # cannot occur in codes or names read from CSV text


def search_key(code: str, name: object) -> str:
    """`code<SEP>name`, lowercased: a substring test on it covers code and name at once."""
    return f"{code}{SEP}{name or ''}".lower()


def hit_rank(entity: Entity, needle: str) -> int:
    """0 exact code, 1 code or name starts with the text, 2 contains it elsewhere."""
    code = entity.code.lower()
    if code == needle:
        return 0
    name = str(entity.attrs.get("name") or "").lower()
    if code.startswith(needle) or name.startswith(needle):
        return 1
    return 2


KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}


def rank_hits(hits: list[Entity], needle: str, limit: int) -> list[Entity]:
    """Order hits by rank, kind (top of the network first), then code; keep `limit`."""
    hits.sort(key=lambda e: (hit_rank(e, needle), KIND_ORDER[e.kind], e.code))
    return hits[:limit]
