/** Whether a CAPA listing (RFC 2449) has a capability, e.g. `STLS`, `USER`, `UIDL`. */
export const hasCapability = ({ capabilities, name }: { capabilities: readonly string[]; name: string }): boolean =>
  capabilities.some((capability) => capability.split(/\s+/)[0]?.toUpperCase() === name.toUpperCase());

/** The SASL mechanisms of `SASL PLAIN LOGIN` (RFC 2449 §6.3), upper-cased. */
export function saslMechanisms(capabilities: readonly string[]): string[] {
  const sasl = capabilities.find((capability) => /^SASL(\s|$)/i.test(capability));
  return sasl
    ? sasl
        .split(/\s+/)
        .slice(1)
        .map((mechanism) => mechanism.toUpperCase())
    : [];
}

/**
 * USER/PASS unless the server lists SASL PLAIN and not USER (RFC 2449 §6.8: USER absent means the
 * server does not take it). A server without CAPA (empty listing) gets USER/PASS, RFC 1939's only way.
 */
export function chooseLogin(capabilities: readonly string[]): 'user-pass' | 'sasl-plain' {
  if (capabilities.length === 0 || hasCapability({ capabilities, name: 'USER' })) return 'user-pass';
  return saslMechanisms(capabilities).includes('PLAIN') ? 'sasl-plain' : 'user-pass';
}

/**
 * The LOGIN-DELAY of a CAPA listing (RFC 2449 §6.5): the seconds after a successful login before the
 * server accepts the next one. `perUser` (the `USER` argument, only before login) means the value
 * may differ per user and the listing after login has the real one.
 * @example loginDelay(['TOP', 'LOGIN-DELAY 900 USER']) // { seconds: 900, perUser: true }
 */
export function loginDelay(capabilities: readonly string[]): { seconds: number; perUser: boolean } | undefined {
  for (const capability of capabilities) {
    const [name, seconds, argument] = capability.trim().split(/\s+/);
    if (name?.toUpperCase() !== 'LOGIN-DELAY' || !seconds || !/^[0-9]{1,9}$/.test(seconds)) continue;
    return { seconds: Number(seconds), perUser: argument?.toUpperCase() === 'USER' };
  }
  return undefined;
}
