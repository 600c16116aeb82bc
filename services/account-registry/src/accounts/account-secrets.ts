import { Inject, Injectable } from '@nestjs/common';
import type { SecretBox } from '@mailbus/crypto';
import { secretContext, type SealedSecret } from '@mailbus/directory';

export const SECRET_BOX = Symbol('SECRET_BOX');

type Side = 'receive' | 'send';

/**
 * Seals and opens account passwords. The context binds a ciphertext to its account and field, so a
 * sealed value copied into another account or side does not open.
 */
@Injectable()
export class AccountSecrets {
  constructor(@Inject(SECRET_BOX) private readonly box: SecretBox) {}

  seal({ accountId, side, password }: { accountId: string; side: Side; password: string }): SealedSecret {
    return this.box.seal(password, secretContext({ accountId, side }));
  }

  open({ accountId, side, sealed }: { accountId: string; side: Side; sealed: SealedSecret }): string {
    return this.box.open(sealed, secretContext({ accountId, side }));
  }

  /** Sealed under an older key: re-sealed with the newest on the next write (key rotation). */
  needsReseal(sealed: SealedSecret): boolean {
    return this.box.needsReseal(sealed);
  }
}
