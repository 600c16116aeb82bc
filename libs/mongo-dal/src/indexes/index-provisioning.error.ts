/** Declared indexes could not be created; `problems` lists each one with both definitions where known. */
export class IndexProvisioningError extends Error {
  constructor(
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(`index provisioning failed: ${problems.join('; ')}`, options);
    this.name = 'IndexProvisioningError';
  }
}
