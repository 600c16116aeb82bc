/** A service the api depends on did not answer in time. Rendered as 503. */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
}
