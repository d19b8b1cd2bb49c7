"""Change events over GraphQL: one module per mutation, each answering a success/error union."""
