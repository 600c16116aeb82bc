import { domainToASCII } from 'node:url';
import { InvalidAddressError } from './invalid-address.error';

const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;
const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// RFC 5322 dot-atom characters plus UTF-8 (RFC 6531 allows it in the local part).
const LOCAL_PART = /^[^\s"(),:;<>@[\\\]]+$/;

/**
 * The stored form of an address: trimmed, the domain lower-cased and IDN as punycode, the local part
 * as given (RFC 5321 leaves its case to the receiving server). Quoted local parts and display names
 * are refused: they have no place in routing tables.
 * @example normalizeAddress(' Anna@Müller.DE ') // 'Anna@xn--mller-kva.de'
 */
export function normalizeAddress(input: string): string {
  const fail = (reason: string): never => {
    throw new InvalidAddressError({ input, reason });
  };
  const trimmed = input.trim();
  if (trimmed.length === 0) fail('is empty');
  if (/[<>]/.test(trimmed) || /\s/.test(trimmed)) fail('give the bare address, without a display name, angle brackets or spaces');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) fail('needs a local part, an @ and a domain');
  const local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1);
  if (local.includes('@')) fail('has more than one @');
  if (!LOCAL_PART.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) fail('has characters or dots that are not allowed in the local part');
  if (Buffer.byteLength(local) > MAX_LOCAL) fail(`the local part is longer than ${MAX_LOCAL} bytes`);
  const address = `${local}@${normalizeDomain({ domain, fail })}`;
  if (Buffer.byteLength(address) > MAX_ADDRESS) fail(`is longer than ${MAX_ADDRESS} bytes`);
  return address;
}

/**
 * The key addresses are compared by: the normalised address fully lower-cased. Practically every
 * server treats local parts case-insensitively, and mail for Anna@ and anna@ reaches one person.
 */
export const addressKey = (address: string): string => address.toLowerCase();

/**
 * A routing-table address: a plain address (as normalizeAddress) or a domain catch-all, written
 * `@example.com` or `*@example.com` and stored as `@<punycode domain>`. A catch-all reaches every
 * address of the domain that no user or group owns exactly. Only for recipient addresses of users and
 * groups: nothing can be sent from a catch-all.
 * @example normalizeRecipientAddress('*@Müller.de') // '@xn--mller-kva.de'
 * @example normalizeRecipientAddress('Anna@Example.com') // 'Anna@example.com'
 */
export function normalizeRecipientAddress(input: string): string {
  const trimmed = input.trim();
  const catchAll = /^\*?@([^@]*)$/.exec(trimmed);
  if (!catchAll) return normalizeAddress(input);
  const fail = (reason: string): never => {
    throw new InvalidAddressError({ input, reason });
  };
  const address = `@${normalizeDomain({ domain: catchAll[1] ?? '', fail })}`;
  if (Buffer.byteLength(address) > MAX_ADDRESS) fail(`is longer than ${MAX_ADDRESS} bytes`);
  return address;
}

/** True for a catch-all as normalizeRecipientAddress stores it (`@domain`). */
export const isCatchAllAddress = (address: string): boolean => address.startsWith('@');

function normalizeDomain({ domain, fail }: { domain: string; fail: (reason: string) => never }): string {
  if (domain.length === 0) fail('needs a domain after the @');
  const ascii = domainToASCII(domain.toLowerCase());
  if (!ascii || !ascii.split('.').every((label) => LDH_LABEL.test(label))) fail(`${JSON.stringify(domain)} is not a valid domain`);
  if (!ascii.includes('.') && ascii !== 'localhost') fail(`${JSON.stringify(domain)} is not a fully qualified domain`);
  return ascii;
}
