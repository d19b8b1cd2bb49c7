"""The schema's descriptions where the types do not give one inline: the names that recur
(connections and their edges, `first`, `after`, `asOf`, `code`, ...) described once here, and
a few more. Applied to the built schema (introspection and `schema.graphql` show them);
tests/api/test_schema_file.py checks that nothing is left undescribed.

A new field, argument, type or enum value: describe it where it is defined; the rules here
are for what recurs.
"""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
)

BUILT_IN = frozenset({"String", "Int", "Float", "Boolean", "ID"})

#: Arguments described by their name, wherever they are.
ARGUMENTS = {
    "first": "How many items a page holds (default TAIQU_DEFAULT_PAGE_SIZE, at most "
    "TAIQU_MAX_PAGE_SIZE).",
    "after": "A cursor of an earlier page (its `endCursor`): the page that follows it.",
    "asOf": "The day the network is read as of (default: today in the utility's time zone, "
    "TAIQU_TIMEZONE).",
    "code": "The code, as in the exchange files (case-sensitive).",
    "id": "A global ID, as `id` fields give it.",
    "step": "DAY (default): one value per day; MONTH: one per calendar month.",
    "orderBy": "The order of the areas (default: the highest loss rate first).",
    "status": "Only the areas of these loss statuses (all when omitted).",
    "kinds": "Only these kinds (all when omitted).",
    "input": "What the change event says; refused as a whole (ChangeRejected) when any field "
    "is wrong.",
    "role": "Only the meters of this role (all when omitted).",
    "under": "Only inside this org unit's subtree (its code).",
    "period": "A month (2026-06) or a year (2026).",
    "level": "The level of the units (a `level` of orgs.csv: city, county, station).",
    "targetsAsOf": "The targets as they were recorded at this instant (default: now).",
    "text": "Text to look for in codes and names (Chinese included), at least 2 characters.",
}

#: Fields described by their name in every type that has one.
FIELDS = {
    "totalCount": "How many items there are in all, over every page.",
    "edges": "This page's items, each with its cursor.",
    "pageInfo": "Where this page lies: whether more follow and the cursor to go on from.",
    "cursor": "This item's cursor: pass it as `after` for the items that follow it.",
    "node": "The item.",
    "name": "Its name, as in the exchange files.",
    "code": "Its code, as in the exchange files.",
    "from": "The first day of the period.",
    "to": "The last day of the period.",
    "date": "The day.",
    "kind": "Which kind it is.",
}

#: Anything else without an inline description, by its coordinate.
SPECIFIC = {
    "Query": "Reads: the topology as of any day, loss over any period, mismatches, findings, "
    "indicators, the audit of writes.",
    "Mutation": "Change events (异动), each checked whole and written with an audit record; "
    "and the targets a unit hands down.",
    "Subscription": "What is pushed over a WebSocket (graphql-transport-ws): new changesets.",
    "EntityKind": "The kinds of entity of the network.",
    "EntityKind.ORG_UNIT": "An org unit: the province, a city bureau, a county, a supply station.",
    "EntityKind.SUBSTATION": "A substation.",
    "EntityKind.FEEDER": "A 10 kV feeder.",
    "EntityKind.TRANSFORMER": "A distribution transformer and its area (台区).",
    "EntityKind.METER": "A meter: an area's gate meter, a customer's or a PV meter.",
    "EntityKind.CUSTOMER": "A customer.",
    "MeterRole": "What a meter measures.",
    "MeterRole.GATE": "An area's gate meter (台区总表): the energy supplied to the area.",
    "MeterRole.CUSTOMER": "A customer's meter: energy sold.",
    "MeterRole.PV": "A customer's PV meter: energy exported into the area.",
    "Ownership": "Who owns a transformer.",
    "Ownership.PUBLIC": "The utility's (公变): its loss is managed per area.",
    "Ownership.PRIVATE": "A customer's (专变).",
    "Direction.AT_MOST": "Met when the value is at or below the target (a loss rate).",
    "Direction.AT_LEAST": "Met when the value is at or above the target (a rate of success).",
    "FindingKind.METER_IN_OTHER_AREA": "A meter whose readings follow another area's supply.",
    "FindingKind.THEFT_SUSPECT": "An area whose loss jumps from a day on, with a meter to suspect.",
    "FindingKind.WRONG_MULTIPLIER": "A meter whose multiplier (CT ratio) is likely wrong.",
    "FindingKind.READING_ANOMALY": "Readings that cannot be right (a jump, a register going back).",
    "LossOrder.LOSS_RATE_DESC": "The highest loss rate first.",
    "LossOrder.LOSS_RATE_ASC": "The lowest loss rate first (the most negative).",
    "LossOrder.LOSS_KWH_DESC": "The most energy lost first.",
    "LossOrder.MANAGEMENT_LOSS_RATE_DESC": "The highest management loss rate first.",
    "LossOrder.MANAGEMENT_LOSS_RATE_ASC": "The lowest management loss rate first.",
    "LossStatus.NORMAL": "Computable and within the plausible range (合格).",
    "LossStatus.HIGH": "Loss rate above TAIQU_LOSS_HIGH_RATE (高损).",
    "LossStatus.NEGATIVE": "Sales above supply (负损).",
    "LossStatus.UNCOMPUTABLE": "Not computable: readings missing or no gate meter (不可算).",
    "LossStep.DAY": "One value per day.",
    "LossStep.MONTH": "One value per calendar month.",
    "TechnicalMethod.POWER_FLOW": "A power flow over the area's low-voltage lines.",
    "TechnicalMethod.EQUIVALENT_RESISTANCE": "An estimate from an equivalent resistance (no "
    "lines known).",
    "TechnicalMethod.NONE": "Not computed (no supply, or the area is not computable).",
    "Query.orgUnit": "An org unit by code, as of a day (null: none with that code then).",
    "Query.substation": "A substation by code, as of a day.",
    "Query.feeder": "A feeder by code, as of a day.",
    "Query.transformer": "A transformer and its area by code, as of a day.",
    "Query.meter": "A meter by code, as of a day.",
    "Query.customer": "A customer by code, as of a day.",
    "ChangeCount.kind": "The kind of change: created, updated, moved, linked, removed, ...",
    "ChangeCount.count": "How many of them.",
    "ChangeDetail.name": "What the value is (meter, from_area, final_register_kwh, ...).",
    "ChangeDetail.value": "The value.",
    "ChangeRejected.errors": "Every problem, by input field.",
    "Changeset.id": "The changeset's id (use it with `changeset(id:)`).",
    "Customer.category": "The customer's category (resident, commercial, ...), as archived.",
    "Detail.name": "What the value is.",
    "Detail.value": "The value.",
    "FieldError.message": "What is wrong with it.",
    "Finding.kind": "What was found.",
    "IndicatorResult.direction": "Whether the value must stay at or below, or at or above, "
    "its target.",
    "LossSummary.normalCount": "Areas of status NORMAL.",
    "LossSummary.highCount": "Areas of status HIGH.",
    "LossSummary.negativeCount": "Areas of status NEGATIVE.",
    "LossSummary.uncomputableCount": "Areas of status UNCOMPUTABLE.",
    "LossSummary.supplyKwh": "Energy supplied to the computable areas (kWh).",
    "LossSummary.salesKwh": "Energy sold in the computable areas (kWh).",
    "LossSummary.lossKwh": "Supply minus sales over the computable areas (kWh).",
    "AreaMoved.area": "The area as it is after the move.",
    "MeterMoved.meter": "The meter as it is after the move.",
    "MeterReplaced.oldMeter": "The meter taken out.",
    "MeterReplaced.newMeter": "The meter put in.",
    "TransformerReplaced.transformer": "The new transformer of the area.",
    "Mismatch.meter": "The meter the systems disagree on.",
    "MismatchArea.code": "The area's code as that system has it.",
    "MismatchArea.area": "The area, when it is stored.",
    "Reading.date": "The day of the reading.",
    "ReadingCorrection.date": "The day whose reading was replaced.",
    "ReadingCorrection.oldImportKwh": "The import register's value before (kWh, as registered).",
    "ReadingCorrection.oldExportKwh": "The export register's value before (kWh, as registered).",
    "ReadingCorrection.newImportKwh": "The import register's value after (kWh, as registered).",
    "ReadingCorrection.newExportKwh": "The export register's value after (kWh, as registered).",
    "SearchHit.kind": "The kind of what was found.",
    "SearchHit.code": "Its code.",
    "SearchHit.name": "Its name.",
    "SearchHit.node": "The entity, for reading further.",
    "SetTargetsInput.targets": "The targets, one per unit and indicator.",
    "TransformerLoss.transformer": "The area.",
    "TransformerLoss.status": "Its loss status over the period.",
}

_EVENTS = {
    "MeterMove": "moving a meter to another area (表计迁移)",
    "MeterReplace": "replacing a meter (换表)",
    "TransformerReplace": "replacing an area's transformer (换变压器)",
    "AreaMove": "moving an area to another feeder (台区切改)",
    "AreaRetire": "retiring an area (撤销台区)",
    "SetTargets": "setting targets for the units below yours (指标下达)",
}


def _for_type(name: str) -> str | None:
    if name in SPECIFIC:
        return SPECIFIC[name]
    if name.endswith("Connection"):
        return f"A page of {name.removesuffix('Connection')} items (a Relay cursor connection)."
    if name.endswith("Edge"):
        return f"One {name.removesuffix('Edge')} item of a page, with its cursor."
    for event, what in _EVENTS.items():
        if name == f"{event}Input":
            return f"The input of {what}."
        if name == f"{event}Result":
            return f"The answer to {what}: what was written, or why nothing was."
    if name == "TargetInput":
        return "One unit's target of one indicator for the period."
    return None


def _field(type_name: str, name: str, field: GraphQLField | GraphQLInputField) -> None:
    if not field.description:
        field.description = SPECIFIC.get(f"{type_name}.{name}") or FIELDS.get(name)


def _argument(coordinate: str, name: str, argument: GraphQLArgument) -> None:
    if not argument.description:
        argument.description = SPECIFIC.get(f"{coordinate}({name})") or ARGUMENTS.get(name)


def describe(schema: GraphQLSchema) -> None:
    """Fill in the descriptions the schema's types leave out."""
    for name, named in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not named.description:
            named.description = _for_type(name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                _field(name, field_name, field)
                for arg_name, argument in field.args.items():
                    _argument(f"{name}.{field_name}", arg_name, argument)
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                _field(name, field_name, input_field)
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not value.description:
                    value.description = SPECIFIC.get(f"{name}.{value_name}")


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Every type, field, argument and enum value without a description, by coordinate."""
    found: list[str] = []
    for name, named in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        found += _gaps(name, named)
    return found


def _gaps(name: str, named: GraphQLNamedType) -> list[str]:
    found = [] if named.description else [name]
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for field_name, field in named.fields.items():
            found += [] if field.description else [f"{name}.{field_name}"]
            found += [
                f"{name}.{field_name}({a})" for a, arg in field.args.items() if not arg.description
            ]
    elif isinstance(named, GraphQLInputObjectType):
        found += [f"{name}.{f}" for f, field in named.fields.items() if not field.description]
    elif isinstance(named, GraphQLEnumType):
        found += [f"{name}.{v}" for v, value in named.values.items() if not value.description]
    return found
