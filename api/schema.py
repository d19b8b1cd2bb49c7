"""The schema: merges the types and adds the secure-by-default extensions.

`schema` (module level) is what `strawberry export-schema api.schema:schema` writes to
schema.graphql; the app builds its own with the configured limits via `build_schema`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.types import ExecutionContext, ExecutionResult

from api.access_log import AccessLog, record_kept
from api.context import Context, CurrentContext
from api.cost import CostLimit, CostRules
from api.descriptions import describe
from api.errors import MaskAndCodeErrors, give_code, should_mask, timed_out
from api.fast_path import FastPath
from api.limits import QuerySizeLimit, limits_rule
from api.mutation import Mutation
from api.query import Query
from api.response_cache import ResponseCache, State, request_key
from api.scope_guard import ScopeGuard
from api.subscription import Subscription
from api.time_limit import RequestGate, WritesRunToTheirEnd
from api.types.customer import Customer
from api.types.feeder import Feeder
from api.types.meter import Meter
from api.types.org_unit import OrgUnit
from api.types.substation import Substation
from api.types.transformer import Transformer
from taiqu.settings import Settings

log = logging.getLogger("taiqu.api")


def _data_state(ctx: Context) -> State:
    """What every answer is computed from: the topology's version, the loss copy's generation
    and the targets' version."""
    graph, targets = ctx.store.versions()
    return graph, ctx.loss.manifest().generation, targets


class TaiquSchema(strawberry.Schema):
    gate = RequestGate(Settings.request_timeout_ms, Settings.max_running_requests)
    responses = ResponseCache(0)

    async def execute(  # type: ignore[override]
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> ExecutionResult:
        """A kept answer when the data has not changed since (api/response_cache.py); else
        the operation in its turn and within the time limit (api/time_limit.py)."""
        run = super().execute
        key = state = None
        if self.responses.enabled and query and isinstance(context_value, Context):
            key = request_key(
                query,
                kwargs.get("operation_name"),
                variable_values,
                context_value.read_scope(),
                context_value.today,
            )
            if key is not None and self.responses.is_query(key):  # a mutation is never kept
                state = await asyncio.to_thread(_data_state, context_value)
                context_value.graph_version = state[0]  # the scope guard needs it too
                kept = self.responses.get(key, state)
                if kept is not None:
                    record_kept(context_value, query, kwargs.get("operation_name"), kept)
                    return kept
        result = await self.gate.run(
            lambda: run(query, variable_values, context_value, *args, **kwargs)
        )
        if key is not None and state is not None:
            self.responses.put(key, state, result)
        return result

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log only what is unexpected with its traceback; a caller's mistake is not a server
        problem (one line at INFO)."""
        unexpected = [e for e in errors if should_mask(e) and not timed_out(e)]
        for error in errors:
            give_code(error)  # parse errors reach the response without the masking extension
            if timed_out(error):
                log.warning("stopped past its time limit: %s", type(error.original_error).__name__)
            elif not should_mask(error):
                log.info("refused: %s", error.message.splitlines()[0] if error.message else "")
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    limits = settings or Settings()
    # The rule class is built once: ValidationCache keys on the rule classes, and a rule built
    # per request would be a new class, so nothing would ever be cached.
    rules: list[type[ASTValidationRule]] = [
        limits_rule(limits.max_depth, limits.max_aliases, limits.max_spreads)
    ]
    if not limits.introspection:  # __schema and __type refused (__typename stays)
        rules.append(NoSchemaIntrospectionCustomRule)
    costs = CostRules(
        limits.max_cost, limits.default_page_size, limits.max_page_size, limits.loss_max_days
    )
    # Factories: strawberry builds fresh extensions per request; the caches stay shared.
    built = TaiquSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[OrgUnit, Substation, Feeder, Transformer, Meter, Customer],
        extensions=[
            lambda: AddValidationRules(rules),
            lambda: QuerySizeLimit(limits.max_query_bytes),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: CostLimit(costs),
            CurrentContext,  # before the fast path: values it shows may depend on the reader
            ScopeGuard,  # before the fast path: a narrowed reader's roots are checked
            FastPath,  # after the cost: only what was accepted is answered
            WritesRunToTheirEnd,
            AccessLog,
            lambda: MaskAndCodeErrors(limits.request_timeout_ms),
        ],
    )
    describe(built._schema)  # what the types leave undescribed (api/descriptions.py)
    built.gate = RequestGate(limits.request_timeout_ms, limits.max_running_requests)
    built.responses = ResponseCache(limits.response_cache_mb * 2**20)
    return built


schema = build_schema()
