"""The Mutation root: change events (异动), each written all or nothing with an audit record.

Only principals whose role has them as duties may send them, inside their unit's subtree
(graph/domain/access.py); every answer is a union of
the written change and `ChangeRejected` (each problem naming its input field).
"""

from __future__ import annotations

import strawberry

from api.mutations import area_move as _area_move
from api.mutations import area_retire as _area_retire
from api.mutations import meter_move as _meter_move
from api.mutations import meter_replace as _meter_replace
from api.mutations import set_targets as _set_targets
from api.mutations import transformer_replace as _transformer_replace


@strawberry.type
class Mutation:
    meter_move: _meter_move.MeterMoveResult = strawberry.mutation(
        resolver=_meter_move.resolve,
        description="Move a customer's (or pv) meter to another area (户变关系调整).",
    )
    meter_replace: _meter_replace.MeterReplaceResult = strawberry.mutation(
        resolver=_meter_replace.resolve,
        description="Replace a meter (换表): old and new codes, final and initial registers.",
    )
    transformer_replace: _transformer_replace.TransformerReplaceResult = strawberry.mutation(
        resolver=_transformer_replace.resolve,
        description="Replace an area's transformer with one of another capacity (换变/增容).",
    )
    area_move: _area_move.AreaMoveResult = strawberry.mutation(
        resolver=_area_move.resolve, description="Move an area to another feeder (切改)."
    )
    area_retire: _area_retire.AreaRetireResult = strawberry.mutation(
        resolver=_area_retire.resolve,
        description="Retire an area (撤销台区); refused while customer meters are under it.",
    )
    set_targets: _set_targets.SetTargetsResult = strawberry.mutation(
        resolver=_set_targets.resolve,
        description="Hand targets down to the units directly below yours (分级下达; marketing "
        "only): all or none, a changed target recorded as a new version.",
    )
