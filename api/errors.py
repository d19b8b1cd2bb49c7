"""Which errors a caller sees as they are, which are masked, and the code of each.

Every error in a response carries `extensions.code`:

- BAD_USER_INPUT: an argument or variable the caller got wrong (InputError; a variable that
  fails coercion: a bad date, a wrong type, null for a non-null);
- NOT_FOUND: an argument names a code that is not stored (NotFound: `assessment(under:)`);
- FORBIDDEN: the caller may not do this (AccessDenied: a change event outside the principal's
  duties or scope, or on a read-only home); UNAUTHENTICATED (HTTP 401, api/authn.py): no key;
- LIMIT_EXCEEDED: over a document limit (depth, aliases, fragment spreads, tokens);
- GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED: not GraphQL, or not valid for the schema;
- TIMEOUT: the request ran past its time limit (api/time_limit.py); what failed because its
  reads were stopped says so, not "Unexpected error.";
- INTERNAL: anything else, masked as "Unexpected error." and logged with its traceback.

Before GraphQL runs, the HTTP layer answers with its own codes (api/http_protocol.py):
BAD_REQUEST, METHOD_NOT_ALLOWED, NOT_ACCEPTABLE, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE.

A caller's mistake is never masked and never logged as a server error.
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from api.time_limit import TIMEOUT, timeout_message
from graph.domain import deadline
from graph.domain.errors import AccessDenied, DeadlineExceeded, InputError, NotFound

MASKED_MESSAGE = "Unexpected error."
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
INTERNAL = "INTERNAL"
_TOKENS = "Syntax Error: Document contains more than"


def is_caller_error(error: GraphQLError) -> bool:
    """GraphQL's own errors (syntax, validation), our input and access errors, and variables
    that fail coercion (reported before execution: no path)."""
    original = error.original_error
    if original is None or isinstance(original, InputError | AccessDenied):
        return True
    return error.path is None and isinstance(original, GraphQLError)


def timed_out(error: GraphQLError) -> bool:
    """Raised because the request's time limit passed: a store read stopped by it (SQLite's
    "interrupted", a Neo4j transaction timeout), or anything failing after it."""
    original = error.original_error
    if isinstance(original, DeadlineExceeded):
        return True
    return original is not None and not is_caller_error(error) and deadline.passed()


def should_mask(error: GraphQLError) -> bool:
    """Masked: not the caller's mistake (a timeout is masked too: its text is internal)."""
    return not is_caller_error(error)


def code_of(error: GraphQLError) -> str:
    """The code of an error as raised (before masking)."""
    given = (error.extensions or {}).get("code")
    if isinstance(given, str):
        return given
    original = error.original_error
    if timed_out(error):
        return TIMEOUT
    if isinstance(original, AccessDenied):
        return "FORBIDDEN"
    if isinstance(original, NotFound):
        return "NOT_FOUND"
    if isinstance(original, InputError):
        return "BAD_USER_INPUT"
    if original is None:
        if error.message.startswith(_TOKENS):
            return LIMIT_EXCEEDED
        if error.message.startswith("Syntax Error"):
            return "GRAPHQL_PARSE_FAILED"
        return "GRAPHQL_VALIDATION_FAILED" if error.path is None else INTERNAL
    return "BAD_USER_INPUT" if is_caller_error(error) else INTERNAL


def give_code(error: GraphQLError) -> GraphQLError:
    """`error` with its code in `extensions` (kept when it has one)."""
    if not isinstance((error.extensions or {}).get("code"), str):
        error.extensions = {**(error.extensions or {}), "code": code_of(error)}
    return error


class MaskAndCodeErrors(MaskErrors):
    """strawberry's MaskErrors, and a code on every error (masked ones included)."""

    def __init__(self, time_limit_ms: int) -> None:
        super().__init__(should_mask_error=should_mask, error_message=MASKED_MESSAGE)
        self.time_limit_ms = time_limit_ms

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        if timed_out(error):
            masked.message = timeout_message(self.time_limit_ms)
            masked.extensions = {"code": TIMEOUT}
        else:
            masked.extensions = {"code": INTERNAL}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        # MaskErrors' step over each error: the kept ones get their code too.
        return [give_code(e) for e in super()._process_errors(errors)]
