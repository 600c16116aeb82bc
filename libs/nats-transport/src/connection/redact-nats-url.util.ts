/** Hides the password (or token) of a NATS URL so that it can be logged. */
export function redactNatsUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/g, '//$1:***@').replace(/\/\/([^:@/]+)@/g, '//***@');
}
