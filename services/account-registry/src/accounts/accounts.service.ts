import { Injectable } from '@nestjs/common';
import { createAccountSchema, updateAccountSchema, type AccountSettings, type AccountView, type ListQuery, type Page } from '@mailbus/contracts';
import type { AccountDocument, SealedSecret } from '@mailbus/directory';
import { newId } from '@mailbus/mongo-dal';
import { RpcDomainError, parseRpcInput } from '@mailbus/service-runtime';
import { AddressClaims } from '../addresses/address-claims';
import { withRevisionRetry } from '../revision-conflict.util';
import { assertUsersExist } from '../users/known-users.util';
import { UsersRepository } from '../users/users.repository';
import { AccountChangePublisher } from './account-change.publisher';
import { changedSettings } from './account-changes.util';
import { mergeAccountPatch, type PasswordChange } from './account-merge.util';
import { normalizeAccountSettings } from './account-normalize.util';
import { describeUnboundPasswords, unboundPasswords } from './account-password-binding.util';
import { AccountSecrets } from './account-secrets';
import { unusableReasons } from './account-usability.util';
import { storedSettings, toAccountView } from './account-view.util';
import { AccountsRepository } from './accounts.repository';
import { replyPage } from '../reply-page.util';

const owner = (id: string) => ({ kind: 'account' as const, id });
type Side = 'receive' | 'send';
type SealedPasswords = Record<Side, SealedSecret | undefined>;

@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly users: UsersRepository,
    private readonly claims: AddressClaims,
    private readonly secrets: AccountSecrets,
    private readonly changes: AccountChangePublisher,
  ) {}

  async create(input: unknown): Promise<AccountView> {
    const request = parseRpcInput(createAccountSchema, input);
    const id = newId();
    const { settings, emailKey } = await this.validated(request, { receive: request.receive?.password !== undefined, send: request.send?.password !== undefined });
    const now = new Date();
    const sealed: SealedPasswords = {
      receive: request.receive?.password === undefined ? undefined : this.secrets.seal({ accountId: id, side: 'receive', password: request.receive.password }),
      send: request.send?.password === undefined ? undefined : this.secrets.seal({ accountId: id, side: 'send', password: request.send.password }),
    };
    const account = toDocument({ id, settings, emailKey, sealed, bookkeeping: { revision: 1, pendingPublish: true, lastChange: { kind: 'created', settings: [] }, createdAt: now, updatedAt: now } });
    await this.claims.claimAll({ namespace: 'account', addressKeys: [emailKey], owner: owner(id) });
    try {
      await this.accounts.insert(account);
    } catch (error) {
      await this.claims.releaseAll({ namespace: 'account', addressKeys: [emailKey], owner: owner(id) });
      throw error;
    }
    await this.changes.publishLatest(account);
    return toAccountView(account);
  }

  async get(id: string): Promise<AccountView> {
    return toAccountView(await this.load(id));
  }

  async list(query: ListQuery): Promise<Page<AccountView>> {
    return replyPage({ documents: await this.accounts.page(query), limit: query.limit, view: toAccountView });
  }

  /** Merges the patch, validates the result as a whole, and stores it only if it changed anything. */
  async update(id: string, input: unknown): Promise<AccountView> {
    const patch = parseRpcInput(updateAccountSchema, input);
    return withRevisionRetry({
      what: `account ${id}`,
      attempt: async () => {
        const current = await this.load(id);
        const merged = mergeAccountPatch({ current: storedSettings(current), patch });
        const request = parseRpcInput(createAccountSchema, merged.settings);
        const sealed = this.applyPasswordChanges({ current, settings: request, changes: merged.passwords });
        const { settings, emailKey } = await this.validated(request, { receive: sealed.receive !== undefined, send: sealed.send !== undefined });
        const unbound = unboundPasswords({ before: current, after: settings, passwords: merged.passwords });
        if (unbound.length > 0) throw RpcDomainError.unprocessable(describeUnboundPasswords(unbound));
        const candidate = toDocument({ id, settings, emailKey, sealed, bookkeeping: current });
        const changed = changedSettings({ before: current, after: candidate });
        if (changed.length === 0) return toAccountView(current);
        const next: AccountDocument = { ...candidate, revision: current.revision + 1, pendingPublish: true, lastChange: { kind: 'updated', settings: changed }, updatedAt: new Date() };
        const claimed = emailKey === current.emailKey ? [] : await this.claims.claimAll({ namespace: 'account', addressKeys: [emailKey], owner: owner(id) });
        if (!(await this.accounts.replaceIfRevision({ account: next, revision: current.revision }))) {
          await this.claims.releaseAll({ namespace: 'account', addressKeys: claimed, owner: owner(id) });
          return undefined;
        }
        if (claimed.length > 0) await this.claims.releaseAll({ namespace: 'account', addressKeys: [current.emailKey], owner: owner(id) });
        await this.changes.publishLatest(next);
        return toAccountView(next);
      },
    });
  }

  /** Leaves a tombstone without secrets, so the deletion event survives a crash and consumers can tell. */
  async delete(id: string): Promise<void> {
    await withRevisionRetry({
      what: `account ${id}`,
      attempt: async () => {
        const current = await this.load(id);
        const now = new Date();
        const tombstone: AccountDocument = {
          ...toDocument({ id, settings: storedSettings(current) as AccountSettings, emailKey: current.emailKey, sealed: { receive: undefined, send: undefined }, bookkeeping: current }),
          revision: current.revision + 1,
          pendingPublish: true,
          lastChange: { kind: 'deleted', settings: [] },
          updatedAt: now,
          deletedAt: now,
        };
        if (!(await this.accounts.replaceIfRevision({ account: tombstone, revision: current.revision }))) return undefined;
        await this.claims.releaseAll({ namespace: 'account', addressKeys: [current.emailKey], owner: owner(id) });
        await this.changes.publishLatest(tombstone);
        return true;
      },
    });
  }

  /** The account's live document with its sealed secrets, for the connection test and folder list. */
  async load(id: string): Promise<AccountDocument> {
    const account = await this.accounts.findById(id);
    if (!account) throw RpcDomainError.notFound(`no account with id ${id}`);
    return account;
  }

  accountsOwnedBy(userId: string): Promise<string[]> {
    return this.accounts.idsOwnedBy(userId);
  }

  /** A deleted user may no longer send with any account; each change is an ordinary update with its event. */
  async removeSender(userId: string): Promise<void> {
    for (const id of await this.accounts.idsWithSender(userId)) {
      const account = await this.accounts.findById(id);
      if (account) await this.update(id, { senders: account.senders.filter((sender) => sender !== userId) });
    }
  }

  private async validated(request: AccountSettings, passwordSet: Record<Side, boolean>): Promise<{ settings: AccountSettings; emailKey: string }> {
    const normalized = normalizeAccountSettings(request);
    await assertUsersExist({ users: this.users, ids: normalized.settings.owners, path: 'owners' });
    await assertUsersExist({ users: this.users, ids: normalized.settings.senders, path: 'senders' });
    const reasons = unusableReasons({ settings: normalized.settings, passwordSet });
    if (reasons.length > 0) throw RpcDomainError.unprocessable(reasons.join('; '));
    return normalized;
  }

  /** New passwords are sealed; kept ones are re-sealed when an older key sealed them (key rotation). */
  private applyPasswordChanges({ current, settings, changes }: { current: AccountDocument; settings: AccountSettings; changes: Record<Side, PasswordChange> }): SealedPasswords {
    const sealed = (side: Side): SealedSecret | undefined => {
      const change = changes[side];
      if (!settings[side] || change.action === 'remove') return undefined;
      if (change.action === 'set') return this.secrets.seal({ accountId: current._id, side, password: change.password });
      const existing = current[side]?.passwordSealed;
      if (existing === undefined || !this.secrets.needsReseal(existing)) return existing;
      return this.secrets.seal({ accountId: current._id, side, password: this.secrets.open({ accountId: current._id, side, sealed: existing }) });
    };
    return { receive: sealed('receive'), send: sealed('send') };
  }
}

type Bookkeeping = Pick<AccountDocument, 'revision' | 'pendingPublish' | 'lastChange' | 'createdAt' | 'updatedAt'>;

/** Settings without plaintext passwords, plus the sealed ones, plus bookkeeping. */
function toDocument({ id, settings, emailKey, sealed, bookkeeping }: { id: string; settings: AccountSettings; emailKey: string; sealed: SealedPasswords; bookkeeping: Bookkeeping }): AccountDocument {
  const { receive, send, ...rest } = settings;
  const document: AccountDocument = { _id: id, ...rest, emailKey, revision: bookkeeping.revision, pendingPublish: bookkeeping.pendingPublish, lastChange: bookkeeping.lastChange, createdAt: bookkeeping.createdAt, updatedAt: bookkeeping.updatedAt };
  if (receive) {
    const { password: _password, ...withoutPassword } = receive;
    document.receive = { ...withoutPassword, ...(sealed.receive ? { passwordSealed: sealed.receive } : {}) };
  }
  if (send) {
    const { password: _password, ...withoutPassword } = send;
    document.send = { ...withoutPassword, ...(sealed.send ? { passwordSealed: sealed.send } : {}) };
  }
  return document;
}
