"""One Cypher for a tree of reads (graph/stores/tree.py): a subquery per step, nested.

Shape, for a node `v` and a step that reads a list of neighbours:

    CALL (v) { MATCH (v)-[r:T]->(w) WHERE <valid on $as_of>
               <w's own steps, the same way>
               WITH w, <their answers> ORDER BY w.code
               RETURN collect([w.code, toString(w.attrs_from), <w's attributes>, <answers>]) }

and for a page (meters of $role only, if one is given): one pass sorts the children, whose
count is the total, and takes the page (the codes after $after, if given, then $limit);
only the page is walked below and projected, and the answer is [total, rows]. Every node is
projected as a list of its allow-listed attributes (one list for the whole answer: the
driver decodes one record, not one per row).
Labels, types and attribute names come from the allow-lists; every value is a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from graph.domain.model import ATTRIBUTES, BEGINNING, Entity, Kind
from graph.stores.neo4j.queries import _label, _rel_parts, _seek, within
from graph.stores.tree import Reached, Step, Tree


class _Compiler:
    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self._next = 0

    def name(self, prefix: str) -> str:
        self._next += 1
        return f"{prefix}{self._next}"

    def node(self, var: str, kind: Kind, steps: tuple[Step, ...]) -> tuple[str, str, list[str]]:
        """The subqueries walking `steps` from `var`, the projection of `var` with their
        answers, and the names of those answers."""
        calls, answers = [], []
        for step in steps:
            call, answer = self.step(var, step)
            calls.append(call)
            answers.append(answer)
        values = "".join(f", {var}.{a}" for a in ATTRIBUTES[kind])  # names from the allow-list
        more = "".join(f", {a}" for a in answers)
        # The day as text: the driver decodes a string several times faster than a Date.
        start = f"toString({var}.attrs_from)"
        return " ".join(calls), f"[{var}.code, {start}{values}{more}]", answers

    def step(self, var: str, step: Step) -> tuple[str, str]:
        _p, _c, rel_type = _rel_parts(step.rel)
        reached, answer = self.name("v"), self.name("s")
        r = self.name("r")
        if step.direction == "down":
            pattern = f"({var})-[{r}:{rel_type}]->({reached})"
        else:
            pattern = f"({reached})-[{r}:{rel_type}]->({var})"
        where = f"{r}.valid_from <= $as_of AND {r}.valid_to > $as_of"
        if step.page is not None and step.page.role is not None:
            role = self.name("role")
            self.params[role] = step.page.role
            where += f" AND {reached}.role = ${role}"
        calls, projection, below = self.node(reached, step.reached_kind(), step.then)
        carried = "".join(f", {b}" for b in below)
        rows = (
            f"{calls} WITH {reached}{carried} ORDER BY {reached}.code RETURN collect({projection})"
        )
        if step.page is None:
            return f"CALL ({var}) {{ MATCH {pattern} WHERE {where} {rows} AS {answer} }}", answer
        # One pass over the children: sorted codes give the count and the page, and only
        # the page is walked below and projected. [total, rows]; an empty page is [n, []].
        limit = self.name("limit")
        self.params[limit] = step.page.first + 1  # one more: is there a next page
        found, page, listed = self.name("found"), self.name("page"), self.name("s")
        rest = found
        if step.page.after is not None:  # a later page: the codes after the cursor
            after = self.name("after")
            self.params[after] = step.page.after
            rest = f"[n IN {found} WHERE n.code > ${after}]"
        return (
            f"CALL ({var}) {{ MATCH {pattern} WHERE {where} "
            f"WITH {reached} ORDER BY {reached}.code WITH collect({reached}) AS {found} "
            f"WITH size({found}) AS total, {rest}[..${limit}] AS {page} "
            f"CALL ({page}) {{ UNWIND {page} AS {reached} {rows} AS {listed} }} "
            f"RETURN [total, {listed}] AS {answer} }}"
        ), answer


def compile_tree(
    kind: Kind, steps: tuple[Step, ...], scoped: bool = False
) -> tuple[str, dict[str, Any]]:
    """The Cypher (and its parameters, but $code, $as_of and, `scoped`, $within) answering
    the tree of `steps` from the `kind` node with code $code, as one row with one value,
    `tree`; `scoped`: no row unless that node lies within the org units $within."""
    compiler = _Compiler()
    label = _label(kind)
    calls, projection, _ = compiler.node("v0", kind, steps)
    root = f"MATCH (v0:{label} {{code: $code}}){_seek('v0', label)}"
    if scoped:
        root += within(kind, "v0")
    query = f"{root} {calls} RETURN {projection} AS tree"
    return query, compiler.params


def decode_tree(kind: Kind, steps: tuple[Step, ...], row: list[Any]) -> Tree:
    """The Tree of one projected node (see compile_tree)."""
    return _decoder(kind, steps)(row)


@lru_cache(maxsize=256)
def _decoder(kind: Kind, steps: tuple[Step, ...]) -> Callable[[list[Any]], Tree]:
    """A decoder of `kind` rows walked by `steps`, made once per shape of request: an explorer
    page decodes some 800 nodes, so nothing is looked up per node that can be looked up once."""
    names = ATTRIBUTES[kind]
    width = 2 + len(names)
    below = [
        (step.page.first if step.page else None, _decoder(step.reached_kind(), step.then))
        for step in steps
    ]

    def decode(row: list[Any]) -> Tree:
        start = row[1]
        entity = Entity(
            kind,
            row[0],
            dict(zip(names, row[2:width], strict=True)),
            BEGINNING if start is None else _day(start),  # None: written before values were dated
        )
        reached = []
        for (first, sub), answer in zip(below, row[width:], strict=True):
            if first is None:
                reached.append(Reached([sub(r) for r in answer]))
            else:
                total, rows = answer
                reached.append(Reached([sub(r) for r in rows[:first]], total, len(rows) > first))
        return Tree(entity, reached)

    return decode


_day = lru_cache(maxsize=4096)(dt.date.fromisoformat)  # a network has few distinct days
