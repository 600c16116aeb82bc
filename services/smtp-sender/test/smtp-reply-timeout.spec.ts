import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpTransportOptions, type MailServerSettings } from '@mailbus/mail-clients';
import { createSelfSignedCert, expectEventually, startSmtpSink, type RunningSmtpSink, type TlsCert } from '@mailbus/testing';
import { classifySendError } from '../src/delivery';

/** Short, so that a held reply outlasts it within a test. */
const MAIL_TIMEOUT_MS = 500;
let dir: string;
let cert: TlsCert;
let sink: RunningSmtpSink;

const settings = (): MailServerSettings => ({ protocol: 'smtp', host: sink.host, port: sink.port, security: 'starttls', username: 'sender@example.com', password: 'secret' });
const poolWith = (options: { replyTimeoutMs?: number } = {}) => nodemailer.createTransport({ ...smtpTransportOptions(settings(), { timeoutMs: MAIL_TIMEOUT_MS, tls: { ca: cert.certPem }, ...options }), pool: true, maxConnections: 2 });
const mail = (to: string, subject: string) => ({ from: 'sender@example.com', to: [to], subject, text: `body of ${subject}` });
/** Returns once a send with MAIL_TIMEOUT_MS as its reply timeout, held by the sink, has timed out; then lets the held witness go. */
async function outlastReplyTimeout(): Promise<void> {
  const witness = poolWith({ replyTimeoutMs: MAIL_TIMEOUT_MS });
  const hold = sink.holdData('witness@');
  try {
    await expect(witness.sendMail(mail('witness@example.com', 'witness'))).rejects.toMatchObject({ timeoutType: 'SOCKET_TIMEOUT' });
  } finally {
    witness.close();
    await hold.arrived;
    hold.release();
  }
}
const received = async (subject: string) => (await sink.messages()).filter(({ raw }) => raw.toString().includes(`Subject: ${subject}`));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailbus-smtp-reply-timeout-'));
  cert = await createSelfSignedCert({ dir, log: () => undefined });
  sink = await startSmtpSink({ dir, tls: cert, log: () => undefined });
});

afterAll(async () => {
  await sink?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a slow answer to the end of DATA', () => {
  it('should be waited for beyond MAIL_TIMEOUT_MS: the mail is sent once, without an error', async () => {
    const pool = poolWith();
    try {
      const hold = sink.holdData('slow-scan@');
      const sending = pool.sendMail(mail('slow-scan@example.com', 'slow scan'));
      await hold.arrived;
      // The server answers the final dot only after MAIL_TIMEOUT_MS has passed: a witness held from now on,
      // with that as its reply timeout, times out first (its outcome, not a timer, says when).
      await outlastReplyTimeout();
      hold.release();
      const info = await sending;

      expect(info.response).toMatch(/^250 /);
      expect(await received('slow scan')).toHaveLength(1);
    } finally {
      pool.close();
    }
  });

  it('should not be retried when the server stays silent past the reply timeout, since it may queue the mail anyway', async () => {
    const pool = poolWith({ replyTimeoutMs: MAIL_TIMEOUT_MS });
    const hold = sink.holdData('silent-scan@');
    try {
      const error = await pool.sendMail(mail('silent-scan@example.com', 'silent scan')).then(
        () => expect.fail('the send should have timed out'),
        (failure: unknown) => failure,
      );

      expect(error).toMatchObject({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' });
      expect(classifySendError(error)).toMatchObject({ kind: 'permanent', errorClass: 'timeout', smtpText: expect.stringMatching(/may have been delivered/) });
    } finally {
      pool.close();
    }
    // What a retry would have duplicated: the server had the whole mail and queues it once it is done.
    await hold.arrived;
    hold.release();
    await expectEventually(async () => expect(await received('silent scan')).toHaveLength(1));
  });
});
