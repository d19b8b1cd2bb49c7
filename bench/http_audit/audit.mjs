// Runs graphql-http's server audits against a Taiqu URL, each request carrying the API key
// (every Taiqu operation needs one), and prints one JSON line per audit.
// Usage: node audit.mjs URL KEY
import { auditServer } from 'graphql-http';

const [url, key] = process.argv.slice(2);
const withKey = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};
const results = await auditServer({ url, fetchFn: withKey });
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    line.httpStatus = result.response.status;
  }
  console.log(JSON.stringify(line));
}
