"""setTargets (分级下达): a unit's marketing department hands targets down to the units directly
below it. Every target is checked before any is recorded; a changed one is a new version."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from api.context import Info
from api.mutations.common import ChangeRejected, FieldError
from api.types.resolve import context
from graph.domain.access import Role
from graph.domain.errors import AccessDenied
from graph.domain.model import Rel
from graph.domain.targets import period_problem
from graph.indicators.checks import target_problem
from graph.services.targets import TargetRow, TargetsRecorded, record_targets

MAX_TARGETS = 1_000  # per request: every unit below times every indicator, with room


@strawberry.input
class TargetInput:
    org_code: str = strawberry.field(description="A unit directly below yours.")
    indicator: str = strawberry.field(description="lossRate, qualifiedRate, … (docs/indicators.md)")
    target: float = strawberry.field(description="Rates as fractions (0.05 for 5 %); counts whole.")


@strawberry.input
class SetTargetsInput:
    period: str = strawberry.field(description="A year (2026) or a month (2026-06).")
    targets: list[TargetInput]


@strawberry.type(description="The targets were recorded (those whose value changed).")
class TargetsSet:
    written: int = strawberry.field(description="New versions recorded.")
    unchanged: int = strawberry.field(description="Sent with the value they hold already.")
    warnings: list[str] = strawberry.field(
        description="Where the targets below a unit cannot add up to its own (weighted by last "
        "year's supply)."
    )


SetTargetsResult = Annotated[TargetsSet | ChangeRejected, strawberry.union("SetTargetsResult")]


def _problems(input: SetTargetsInput) -> list[FieldError]:
    found: list[FieldError] = []
    bad = period_problem(input.period)
    if bad:
        found.append(FieldError(field="period", message=bad))
    if not input.targets:
        found.append(FieldError(field="targets", message="no target given"))
    if len(input.targets) > MAX_TARGETS:
        found.append(FieldError(field="targets", message=f"at most {MAX_TARGETS} per request"))
    first: dict[tuple[str, str], int] = {}
    for i, t in enumerate(input.targets):
        bad_value = target_problem(t.indicator, t.target)
        if bad_value:
            field, message = bad_value
            found.append(FieldError(field=f"targets[{i}].{field}", message=message))
        key = (t.org_code, t.indicator)
        if key in first:
            message = f"{t.indicator} of {t.org_code} given twice: first at targets[{first[key]}]"
            found.append(FieldError(field=f"targets[{i}]", message=message))
        first.setdefault(key, i)
    return found


async def resolve(info: Info, input: SetTargetsInput) -> SetTargetsResult:
    ctx = context(info)
    principal = ctx.principal
    if principal is None or principal.role is not Role.MARKETING:
        role = principal.role.value if principal else "no principal"
        raise AccessDenied(f"setTargets is among the duties of marketing, not of {role}")
    if ctx.read_only:
        raise AccessDenied("this server's data folder (TAIQU_HOME) is read-only")
    problems = _problems(input)
    if problems:
        return ChangeRejected(errors=problems)
    today = ctx.today

    def work() -> TargetsRecorded:
        below = ctx.store.neighbors(Rel.ORG_PARENT, [principal.org], today, "down")
        children = {e.code for e in below.get(principal.org, [])}
        for t in input.targets:
            if t.org_code not in children:
                raise AccessDenied(
                    f"{t.org_code} is not directly below {principal.org} on {today}: a unit "
                    "hands targets down to its own children only"
                )
        rows = [TargetRow(t.org_code, input.period, t.indicator, t.target) for t in input.targets]
        return record_targets(ctx.store, rows, f"setTargets by {principal.name}", ctx.loss)

    done = await asyncio.to_thread(work)
    return TargetsSet(written=done.written, unchanged=done.unchanged, warnings=done.warnings)
