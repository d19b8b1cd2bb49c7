"""A full, comparable picture of a store's content, to show that a rejected load wrote nothing."""

from __future__ import annotations

from graph.domain.model import REL_SPECS, Kind, Rel
from graph.stores.contract import Store


def fingerprint(store: Store) -> dict[str, object]:
    picture: dict[str, object] = {}
    for kind in Kind:
        codes = sorted(store.all_codes(kind))
        # Every interval of every entity's values (provenance aside, as for links).
        picture[kind.value] = dict(sorted(store.attr_histories(kind, codes).items()))
    for rel in Rel:
        children = sorted(store.all_codes(REL_SPECS[rel].child))
        picture[rel.value] = {c: store.links_of(rel, c) for c in children}
    return picture
