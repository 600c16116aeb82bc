// HEALTHCHECK of the mailbus image: GET /health/live of the service this container runs, with
// Node's fetch (the image has no curl). Port: API_PORT for the api, HTTP_PORT for the others, else
// the service's default (the same defaults as its config schema; tools/deploy/dockerfile.spec.ts checks).
const DEFAULT_PORTS = { api: 8080, 'account-registry': 8081, fetcher: 8082, 'message-router': 8083, 'smtp-sender': 8084, 'spam-feedback': 8085 };
const service = process.env.MAILBUS_SERVICE || 'api';
const port = (service === 'api' ? process.env.API_PORT : process.env.HTTP_PORT) || DEFAULT_PORTS[service];
fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
