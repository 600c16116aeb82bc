/**
 * The connection string with its password replaced by `***`, for logs and error messages.
 * The credentials end at the last `@`: a malformed URL is over-redacted rather than leaked.
 * @example redactMongoUrl('mongodb://app:s3cret@db:27017/') // 'mongodb://app:***@db:27017/'
 */
export function redactMongoUrl(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return url.includes('@') ? '***' : url;
  const rest = url.slice(schemeEnd + 3);
  const at = rest.lastIndexOf('@');
  if (at < 0) return url;
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  const redactedUserInfo = colon < 0 ? userInfo : `${userInfo.slice(0, colon)}:***`;
  return `${url.slice(0, schemeEnd + 3)}${redactedUserInfo}${rest.slice(at)}`;
}

/** Removes the URL's password (raw and percent-decoded) from free text such as a driver error message. */
export function scrubPassword({ text, url }: { text: string; url: string }): string {
  const password = passwordOf(url);
  if (!password) return text;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // a malformed escape: only the raw form can appear in messages
  }
  return [password, decoded].reduce((scrubbed, secret) => scrubbed.split(secret).join('***'), text);
}

function passwordOf(url: string): string | undefined {
  const schemeEnd = url.indexOf('://');
  const rest = schemeEnd < 0 ? url : url.slice(schemeEnd + 3);
  const at = rest.lastIndexOf('@');
  if (at < 0) return undefined;
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  return colon < 0 ? undefined : userInfo.slice(colon + 1) || undefined;
}
