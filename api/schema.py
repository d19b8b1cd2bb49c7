"""The schema: merges the types and adds the secure-by-default extensions.

`schema` (module level) is what `strawberry export-schema api.schema:schema` writes to
schema.graphql; the app builds its own with the configured limits via `build_schema`.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from api.query import Query
from api.types.customer import Customer
from api.types.feeder import Feeder
from api.types.meter import Meter
from api.types.org_unit import OrgUnit
from api.types.substation import Substation
from api.types.transformer import Transformer
from graph.errors import InputError
from taiqu.settings import Settings

MASKED_MESSAGE = "Unexpected error."


def _should_mask(error: GraphQLError) -> bool:
    """Mask everything but our own input errors and GraphQL's own (syntax, validation)."""
    original = error.original_error
    if original is None:
        return False
    return not isinstance(original, InputError)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    return strawberry.Schema(
        query=Query,
        types=[OrgUnit, Substation, Feeder, Transformer, Meter, Customer],
        extensions=[
            QueryDepthLimiter(max_depth=settings.max_depth),
            MaxAliasesLimiter(max_alias_count=settings.max_aliases),
            MaxTokensLimiter(max_token_count=settings.max_tokens),
            ParserCache(maxsize=256),
            ValidationCache(maxsize=256),
            MaskErrors(should_mask_error=_should_mask, error_message=MASKED_MESSAGE),
        ],
    )


schema = build_schema()
