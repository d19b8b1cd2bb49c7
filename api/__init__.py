"""The GraphQL API: Starlette app, strawberry schema, per-request context and DataLoaders."""
