const MAX_QUOTED_INPUT = 100;

/** Thrown by normalizeAddress for anything that is not one plain `local@domain`; `reason` is for the user. */
export class InvalidAddressError extends Error {
  override readonly name = 'InvalidAddressError';
  readonly input: string;
  readonly reason: string;

  constructor({ input, reason }: { input: string; reason: string }) {
    const quoted = input.length > MAX_QUOTED_INPUT ? `${input.slice(0, MAX_QUOTED_INPUT)}…` : input;
    super(`invalid e-mail address ${JSON.stringify(quoted)}: ${reason}`);
    this.input = input;
    this.reason = reason;
  }
}
