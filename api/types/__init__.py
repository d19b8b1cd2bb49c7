"""GraphQL types, one module each; `wrap` turns a domain Entity into its GraphQL type."""
