import { Inject, Injectable, Logger } from '@nestjs/common';
import { SentFolderAppendStatus } from '@mailbus/contracts';
import type { SecretBox } from '@mailbus/crypto';
import { accountServerSettings, type AccountDocument } from '@mailbus/directory';
import { appendImapMessageOnce } from '@mailbus/mail-clients';
import { classifyConnectionError } from '@mailbus/mail-protocol';
import { RetryLaterError } from '@mailbus/nats-transport';
import { SENDER_SECRET_BOX } from '../config/sending.tokens';
import { appendToSentDecision } from './append-to-sent-decision.util';
import type { AppendToSentSetting } from './append-to-sent.constants';
import { DEFAULT_SENT_FOLDER_NAME, findSentFolder } from './find-sent-folder.util';
import { SentFolderSessions } from './sent-folder-sessions';

/** What happened to the Sent-folder copy of one sent message; kept on the outbox item and in message.sent. */
export interface SentFolderOutcome {
  status: 'appended' | 'skipped' | 'failed';
  folder: string;
  uidValidity?: number;
  uid?: number;
  reason: string;
}

const SENT_FOLDER_MEMO = 'sent-folder';

export const SENT_FOLDER_STATUS_PROTO: Record<SentFolderOutcome['status'], SentFolderAppendStatus> = {
  appended: SentFolderAppendStatus.APPENDED,
  skipped: SentFolderAppendStatus.SKIPPED,
  failed: SentFolderAppendStatus.FAILED,
};

/**
 * Files the exact bytes sent in the account's IMAP Sent folder (\Sent, else a known name, else
 * created), marked \Seen and linked by APPENDUID. A repeat after a crash finds the copy by its
 * Message-ID instead of appending a second one. Providers that file SMTP mail themselves are skipped
 * (appendToSent: auto), and so are accounts without an IMAP side. A failure never fails the send: the
 * mail is out, the outcome says why the copy is missing. Copies go over the account's kept session
 * (SentFolderSessions: one login for a burst of mails), whose connection counts against the host's cap
 * (SPEC §3.6), in the per-host slots the fetcher and spam-feedback take theirs from.
 */
@Injectable()
export class SentFolderAppender {
  private readonly logger = new Logger(SentFolderAppender.name);

  constructor(
    private readonly sessions: SentFolderSessions,
    @Inject(SENDER_SECRET_BOX) private readonly box: SecretBox,
  ) {}

  /** The outcome when it is known without asking the IMAP server; undefined when an append is due. */
  skipped(account: AccountDocument, setting?: AppendToSentSetting): SentFolderOutcome | undefined {
    const receive = account.receive;
    if (!receive || receive.protocol !== 'imap') return { status: 'skipped', folder: '', reason: 'the account has no IMAP mailbox' };
    const decision = appendToSentDecision({ setting: setting ?? account.send?.appendToSent ?? 'auto', smtpHost: account.send?.host ?? '', imapHost: receive.host });
    if (decision.append) return undefined;
    return { status: 'skipped', folder: account.send?.sentFolder ?? '', reason: decision.reason === 'setting-never' ? 'appendToSent is never' : `${decision.provider} files mail sent through its SMTP server itself` };
  }

  /**
   * @throws RetryLaterError when every connection slot of the IMAP host is taken: the item is recorded
   * sent already, and the redelivered event files the copy (and publishes message.sent) then.
   */
  async append({ account, raw, messageIdHeader, setting }: { account: AccountDocument; raw: Buffer; messageIdHeader: string; setting?: AppendToSentSetting }): Promise<SentFolderOutcome> {
    const skipped = this.skipped(account, setting);
    if (skipped) return skipped;
    let folder = account.send?.sentFolder ?? '';
    try {
      // Inside the try: a password the keyring cannot open fails the copy, not the event (message.sent must follow).
      const server = accountServerSettings({ box: this.box, account, side: 'receive' });
      return await this.sessions.run({ accountId: account._id, revision: account.revision, server }, async (client, memo) => {
        // The folder found by LIST is remembered for the session's next copies.
        folder ||= memo.get(SENT_FOLDER_MEMO) ?? findSentFolder(await client.list())?.path ?? DEFAULT_SENT_FOLDER_NAME;
        memo.set(SENT_FOLDER_MEMO, folder);
        const appended = await appendImapMessageOnce(client, { folder, raw, messageIdHeader, createIfMissing: true });
        return { status: 'appended', folder, ...(appended.uidValidity ? { uidValidity: appended.uidValidity } : {}), ...(appended.uid ? { uid: appended.uid } : {}), reason: appended.alreadyPresent ? 'already in the folder' : '' };
      });
    } catch (error) {
      if (error instanceof RetryLaterError) throw error;
      const { errorClass, message } = classifyConnectionError(error);
      this.logger.warn({ msg: 'sent mail could not be filed in the Sent folder', accountId: account._id, folder, class: errorClass, error: message });
      return { status: 'failed', folder, reason: `${errorClass}: ${message}` };
    }
  }
}
