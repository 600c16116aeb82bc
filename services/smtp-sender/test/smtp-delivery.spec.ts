import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpTransportOptions, type MailServerSettings } from '@mailbus/mail-clients';
import { createSelfSignedCert, freePort, startSmtpSink, type RunningSmtpSink, type TlsCert } from '@mailbus/testing';
import { classifySendError, recipientOutcome, type RecipientReport } from '../src/delivery';

const USER = { username: 'sender@example.com', password: 'secret' };
let dir: string;
let cert: TlsCert;
let sink: RunningSmtpSink;
let transport: Transporter<SMTPTransport.SentMessageInfo>;

const settings = (override: Partial<MailServerSettings> = {}): MailServerSettings => ({
  protocol: 'smtp',
  host: sink.host,
  port: sink.port,
  security: 'starttls',
  username: USER.username,
  password: USER.password,
  ...override,
});
/** The way the sender will build its per-account pool: the shared options plus pooling. */
const poolFor = (override: Partial<MailServerSettings> = {}): Transporter<SMTPTransport.SentMessageInfo> =>
  nodemailer.createTransport({ ...smtpTransportOptions(settings(override), { timeoutMs: 5_000, tls: { ca: cert.certPem } }), pool: true, maxConnections: 2 });
const mail = (to: string[], subject: string) => ({ from: USER.username, to, subject, text: `body of ${subject}` });
const failureOf = async (sending: Promise<unknown>): Promise<unknown> =>
  sending.then(
    () => expect.fail('the send should have failed'),
    (error: unknown) => error,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailbus-smtp-delivery-'));
  cert = await createSelfSignedCert({ dir, log: () => undefined });
  sink = await startSmtpSink({ dir, tls: cert, log: () => undefined, users: [USER], authRequired: true });
  transport = poolFor();
});

afterAll(async () => {
  transport?.close();
  await sink?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SMTP delivery against the SMTP sink', () => {
  it('should deliver to the accepted recipients and report the refused ones one by one when one is refused and one deferred', async () => {
    const info = await transport.sendMail(mail(['ok-1@example.com', 'reject-5xx@example.com', 'ok-2@example.com', 'defer-4xx@example.com'], 'mixed'));

    const outcome = recipientOutcome(info);
    expect(outcome.accepted).toEqual(['ok-1@example.com', 'ok-2@example.com']);
    expect(outcome.rejected).toEqual([
      { recipient: 'reject-5xx@example.com', kind: 'permanent', errorClass: 'rejected', smtpCode: 550, enhancedStatus: '5.1.1', smtpText: '550 5.1.1 No such user' },
      { recipient: 'defer-4xx@example.com', kind: 'retrying', errorClass: 'rejected', smtpCode: 451, enhancedStatus: '4.3.0', smtpText: '451 4.3.0 Try again later' },
    ]);
    expect(outcome.response).toMatch(/^250 2\.0\.0 Ok: queued as /);
    const received = (await sink.messages()).find(({ raw }) => raw.toString().includes('Subject: mixed'));
    expect(received).toMatchObject({ rcptTo: ['ok-1@example.com', 'ok-2@example.com'], authUser: USER.username, secure: true });
  });

  it('should fail permanently with the server text when the only recipient gets a 5xx', async () => {
    const error = await failureOf(transport.sendMail(mail(['reject-5xx@example.com'], 'all refused')));
    expect(classifySendError(error)).toEqual({ kind: 'permanent', errorClass: 'rejected', smtpCode: 550, enhancedStatus: '5.1.1', smtpText: '550 5.1.1 No such user' });
    expect(recipientOutcome(error as RecipientReport).rejected.map(({ recipient, kind }) => [recipient, kind])).toEqual([['reject-5xx@example.com', 'permanent']]);
  });

  it('should retry when the only recipient gets a 4xx', async () => {
    const error = await failureOf(transport.sendMail(mail(['defer-4xx@example.com'], 'all deferred')));
    expect(classifySendError(error)).toEqual({ kind: 'retrying', errorClass: 'rejected', smtpCode: 451, enhancedStatus: '4.3.0', smtpText: '451 4.3.0 Try again later' });
  });

  it('should retry the message and keep the refused recipient apart when every recipient is refused but one only deferred', async () => {
    const error = await failureOf(transport.sendMail(mail(['reject-5xx@example.com', 'defer-4xx@example.com'], 'refused and deferred')));
    expect(classifySendError(error)).toMatchObject({ kind: 'retrying', smtpCode: 451 });
    expect(recipientOutcome(error as RecipientReport).rejected.map(({ recipient, kind }) => [recipient, kind])).toEqual([
      ['reject-5xx@example.com', 'permanent'],
      ['defer-4xx@example.com', 'retrying'],
    ]);
  });

  it('should retry the whole message when the server defers it at the end of DATA, and deliver it once the server takes it', async () => {
    const rule = { match: 'flaky@', stage: 'data' as const, code: 451, message: '4.3.0 Temporary local problem' };
    sink.failureRules.push(rule);
    const error = await failureOf(transport.sendMail(mail(['flaky@example.com'], 'flaky')));
    expect(classifySendError(error)).toEqual({ kind: 'retrying', errorClass: 'rejected', smtpCode: 451, enhancedStatus: '4.3.0', smtpText: '451 4.3.0 Temporary local problem' });
    expect((await sink.messages()).some(({ raw }) => raw.toString().includes('Subject: flaky'))).toBe(false);

    sink.failureRules.splice(sink.failureRules.indexOf(rule), 1);
    const info = await transport.sendMail(mail(['flaky@example.com'], 'flaky'));
    expect(recipientOutcome(info)).toMatchObject({ accepted: ['flaky@example.com'], rejected: [] });
  });

  it('should fail permanently when the server refuses the content at the end of DATA', async () => {
    const error = await failureOf(transport.sendMail(mail(['reject-data-5xx@example.com'], 'bad content')));
    expect(classifySendError(error)).toEqual({ kind: 'permanent', errorClass: 'rejected', smtpCode: 554, enhancedStatus: '5.6.0', smtpText: '554 5.6.0 Message content rejected' });
  });

  it('should retry with class auth when the password is wrong', async () => {
    const pool = poolFor({ password: 'wrong' });
    try {
      const error = await failureOf(pool.sendMail(mail(['ok@example.com'], 'wrong password')));
      expect(classifySendError(error)).toEqual({ kind: 'retrying', errorClass: 'auth', smtpCode: 535, enhancedStatus: '5.7.8', smtpText: '535 5.7.8 Authentication credentials invalid' });
    } finally {
      pool.close();
    }
  });

  it('should retry with class connect when nothing listens on the port', async () => {
    const pool = poolFor({ port: await freePort() });
    try {
      const error = await failureOf(pool.sendMail(mail(['ok@example.com'], 'closed port')));
      expect(classifySendError(error)).toMatchObject({ kind: 'retrying', errorClass: 'connect' });
      expect(classifySendError(error)).not.toHaveProperty('smtpCode');
    } finally {
      pool.close();
    }
  });
});
