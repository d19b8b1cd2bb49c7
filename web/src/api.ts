// The explorer speaks to Taiqu's public GraphQL API only, with the principal's key.

const TOKEN_KEY = "taiqu.token";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

/** Run one operation; any error (HTTP or GraphQL) becomes an ApiError with its code. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const key = token();
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T; errors?: GraphQLError[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, "HTTP", response.status);
  }
  if (body.errors && body.errors.length > 0) {
    const first = body.errors[0];
    const where = first.path ? ` (${first.path.join(".")})` : "";
    throw new ApiError(first.message + where, first.extensions?.code ?? "ERROR", response.status);
  }
  if (!response.ok || body.data === undefined) {
    throw new ApiError(`HTTP ${response.status}`, "HTTP", response.status);
  }
  return body.data;
}
