"""Which errors a caller sees as they are, which are masked, and the code of each.

Every error in a response carries `extensions.code`:

- BAD_USER_INPUT: an argument or variable the caller got wrong (InputError; a variable that
  fails coercion: a bad date, a wrong type, null for a non-null);
- FORBIDDEN: the caller may not do this (AccessDenied: a change event without a writer token);
- LIMIT_EXCEEDED: over a document limit (depth, aliases, fragment spreads, tokens);
- GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED: not GraphQL, or not valid for the schema;
- INTERNAL_SERVER_ERROR: anything else, masked as "Unexpected error." and logged with its
  traceback.

A caller's mistake is never masked and never logged as a server error.
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from graph.domain.errors import AccessDenied, InputError

MASKED_MESSAGE = "Unexpected error."
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
_TOKENS = "Syntax Error: Document contains more than"


def is_caller_error(error: GraphQLError) -> bool:
    """GraphQL's own errors (syntax, validation), our input and access errors, and variables
    that fail coercion (reported before execution: no path)."""
    original = error.original_error
    if original is None or isinstance(original, InputError | AccessDenied):
        return True
    return error.path is None and isinstance(original, GraphQLError)


def should_mask(error: GraphQLError) -> bool:
    return not is_caller_error(error)


def code_of(error: GraphQLError) -> str:
    """The code of an error as raised (before masking)."""
    given = (error.extensions or {}).get("code")
    if isinstance(given, str):
        return given
    original = error.original_error
    if isinstance(original, AccessDenied):
        return "FORBIDDEN"
    if isinstance(original, InputError):
        return "BAD_USER_INPUT"
    if original is None:
        if error.message.startswith(_TOKENS):
            return LIMIT_EXCEEDED
        if error.message.startswith("Syntax Error"):
            return "GRAPHQL_PARSE_FAILED"
        return "GRAPHQL_VALIDATION_FAILED" if error.path is None else "INTERNAL_SERVER_ERROR"
    return "BAD_USER_INPUT" if is_caller_error(error) else "INTERNAL_SERVER_ERROR"


def give_code(error: GraphQLError) -> GraphQLError:
    """`error` with its code in `extensions` (kept when it has one)."""
    if not isinstance((error.extensions or {}).get("code"), str):
        error.extensions = {**(error.extensions or {}), "code": code_of(error)}
    return error


class MaskAndCodeErrors(MaskErrors):
    """strawberry's MaskErrors, and a code on every error (masked ones included)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message=MASKED_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        # MaskErrors' step over each error: the kept ones get their code too.
        return [give_code(e) for e in super()._process_errors(errors)]
