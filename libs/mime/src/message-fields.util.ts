import type { AddressObject, EmailAddress, HeaderValue, Headers } from 'mailparser';
import type { MailAddress } from './parsed-message.types';

const isAddressObject = (value: unknown): value is AddressObject => typeof value === 'object' && value !== null && Array.isArray((value as AddressObject).value);

const flatten = (entries: EmailAddress[]): EmailAddress[] => entries.flatMap((entry) => (entry.group ? flatten(entry.group) : [entry]));

/** Every mailbox of an address header (all occurrences, groups flattened); entries without an address are dropped. */
export const addressesOf = (headers: Headers, key: string): MailAddress[] => {
  const value: HeaderValue | undefined = headers.get(key);
  const objects = (Array.isArray(value) ? value : [value]).filter(isAddressObject);
  return flatten(objects.flatMap((o) => o.value))
    .filter((entry) => !!entry.address)
    .map((entry) => ({ address: entry.address!, name: entry.name ?? '' }));
};

/** The first mailbox of a header; a display name without an address is kept (From: "Mailer Daemon"). */
export const firstAddressOf = (headers: Headers, key: string): MailAddress | undefined => {
  const value = headers.get(key);
  const objects = (Array.isArray(value) ? value : [value]).filter(isAddressObject);
  const first = flatten(objects.flatMap((o) => o.value)).find((entry) => entry.address || entry.name);
  return first ? { address: first.address ?? '', name: first.name ?? '' } : undefined;
};

/** A decoded single-valued text header ('' when missing). */
export const textOf = (headers: Headers, key: string): string => {
  const value = headers.get(key);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
};

/** The `params` of a structured header such as Content-Type. */
export const paramsOf = (headers: Headers, key: string): Record<string, string> => {
  const value = headers.get(key);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'object' && first !== null && 'params' in first ? (first.params as Record<string, string>) : {};
};

/** Cuts a body at maxChars; a surrogate pair is not split. */
export const truncate = (value: string, maxChars: number): { value: string; truncated: boolean } => {
  if (value.length <= maxChars) return { value, truncated: false };
  const end = /[\ud800-\udbff]/.test(value.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return { value: value.slice(0, end), truncated: true };
};
