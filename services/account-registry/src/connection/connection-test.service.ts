import { Inject, Injectable } from '@nestjs/common';
import { FOLDER_LIST_BLOB_PREFIX, testSettingsSchema, type ConnectionTestSide, type ConnectionTestView, type FolderListReply } from '@mailbus/contracts';
import type { AccountDocument } from '@mailbus/directory';
import { BlobStore, blobId, newId } from '@mailbus/mongo-dal';
import { MailConnectionError, listImapFolders, testMailLogin, type MailServerSettings } from '@mailbus/mail-clients';
import { resolvePort } from '@mailbus/mail-protocol';
import { RpcDomainError, parseRpcInput } from '@mailbus/service-runtime';
import { AccountSecrets } from '../accounts/account-secrets';
import { AccountsService } from '../accounts/accounts.service';
import { REPLY_PAGE_BUDGET_BYTES } from '../reply-page.util';
import type { MailConnectionSettings } from '../config/account-registry.config';
import { FetcherRpcClient } from './fetcher-rpc.client';
import { MAIL_CONNECTION_SETTINGS, MailServerSlots } from './mail-server-slots';

type Sides = { receive?: MailServerSettings; send?: MailServerSettings };

/**
 * Logs in to an account's servers the way the fetcher and the sender will, bounded in time, and
 * answers per side `ok` or an error class with the server's own text. Passwords are opened only
 * for the login and never leave this process. IMAP and POP3 connections take a per-host slot
 * (MailServerSlots); SMTP ones do not, like the sender's.
 */
@Injectable()
export class ConnectionTestService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly secrets: AccountSecrets,
    private readonly fetcher: FetcherRpcClient,
    private readonly slots: MailServerSlots,
    private readonly blobs: BlobStore,
    @Inject(MAIL_CONNECTION_SETTINGS) private readonly settings: MailConnectionSettings,
  ) {}

  /** The saved settings; when the receive side logs in, a fetcher-disabled account is enabled again. */
  async testAccount(id: string): Promise<ConnectionTestView> {
    const result = await this.test(this.serverSettings(await this.accounts.load(id)));
    if (result.receive?.outcome === 'ok') this.fetcher.reEnableAfterConnectionTest(id);
    return result;
  }

  /** Settings not saved yet (the admin's form before POST): same checks, nothing stored. */
  async testSettings(input: unknown): Promise<ConnectionTestView> {
    const { receive, send } = parseRpcInput(testSettingsSchema, input);
    if (!receive && !send) throw RpcDomainError.invalid([{ path: '(body)', message: 'give receive, send or both' }]);
    return this.test({
      ...(receive ? { receive: { protocol: receive.protocol, host: receive.host, port: receive.port, security: receive.security, username: receive.username, password: receive.password ?? '' } } : {}),
      ...(send ? { send: { protocol: 'smtp', host: send.host, port: send.port, security: send.security, username: send.username ?? '', password: send.password ?? '' } } : {}),
    });
  }

  /** The list in the reply, or in a blob when it is larger than one NATS reply holds (FolderListReply). */
  async listFolders(id: string): Promise<FolderListReply> {
    const { receive } = this.serverSettings(await this.accounts.load(id));
    if (!receive) throw RpcDomainError.unprocessable(`account ${id} has no receive settings`);
    if (receive.protocol !== 'imap') throw RpcDomainError.unprocessable('POP3 has no folders: only IMAP accounts have a folder list');
    const listed = await this.slots.inSlot(receive.host, async () => {
      try {
        return await listImapFolders(receive, { timeoutMs: this.settings.timeoutMs });
      } catch (error) {
        if (error instanceof MailConnectionError) throw RpcDomainError.upstream(`${error.errorClass}: ${error.message}`);
        throw error;
      }
    });
    if ('busy' in listed) throw RpcDomainError.unavailable(listed.busy);
    const json = Buffer.from(JSON.stringify(listed.value));
    if (json.length <= REPLY_PAGE_BUDGET_BYTES) return listed.value;
    const blob = blobId(`${FOLDER_LIST_BLOB_PREFIX}${newId()}`);
    await this.blobs.putBytes({ id: blob, bytes: json, metadata: { kind: 'folder-list', accountId: id } });
    return { folderListBlobId: blob };
  }

  private async test({ receive, send }: Sides): Promise<ConnectionTestView> {
    const [receiveResult, sendResult] = await Promise.all([receive && this.testSide(receive), send && this.testSide(send)]);
    return { ...(receiveResult ? { receive: receiveResult } : {}), ...(sendResult ? { send: sendResult } : {}) };
  }

  private async testSide(settings: MailServerSettings): Promise<ConnectionTestSide> {
    const where = { protocol: settings.protocol, host: settings.host, port: resolvePort(settings) };
    const login = () => testMailLogin(settings, { timeoutMs: this.settings.timeoutMs });
    if (settings.protocol === 'smtp') return { ...(await login()), ...where } as ConnectionTestSide;
    const started = Date.now();
    const result = await this.slots.inSlot(settings.host, login);
    if ('busy' in result) return { outcome: 'busy', message: result.busy, durationMs: Date.now() - started, ...where };
    return { ...result.value, ...where } as ConnectionTestSide;
  }

  private serverSettings(account: AccountDocument): Sides {
    const sides: Sides = {};
    if (account.receive) {
      const { protocol, host, port, security, username, passwordSealed } = account.receive;
      sides.receive = { protocol, host, port, security, username, password: passwordSealed ? this.secrets.open({ accountId: account._id, side: 'receive', sealed: passwordSealed }) : '' };
    }
    if (account.send) {
      const { host, port, security, username, passwordSealed } = account.send;
      sides.send = {
        protocol: 'smtp',
        host,
        port,
        security,
        username: username ?? '',
        password: passwordSealed ? this.secrets.open({ accountId: account._id, side: 'send', sealed: passwordSealed }) : '',
      };
    }
    return sides;
  }
}
