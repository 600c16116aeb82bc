import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { createTransport } from 'nodemailer';
import { appendMessage, canConnect, DOVECOT_SPECIAL_USE_FOLDERS, readSmtpSinkMessages, startStack, type Stack } from '../src';
import { Pop3Exchange } from './pop3-exchange.util';

const PASSWORD = 'password';

/** CRLF line endings and a dot-stuffed line, so POP3 RETR and SMTP DATA are compared byte for byte. */
function rawMessage({ subject, to = 'user1@localhost' }: { subject: string; to?: string }): string {
  return [
    'From: Sender <sender@example.com>',
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, '-')}@example.com>`,
    'Date: Sat, 22 Nov 2025 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${subject}.`,
    '.a line that starts with a dot',
    '',
  ].join('\r\n');
}

async function withImap<T>({ options, use }: { options: ImapFlowOptions; use: (client: ImapFlow) => Promise<T> }): Promise<T> {
  const client = new ImapFlow({ logger: false, disableAutoIdle: true, ...options });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * pids of processes in process group `pgid` (a dead master's children keep its group). Zombies do
 * not count: they have exited and wait only for init, their new parent, to reap them.
 */
async function processGroupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the ")" that closes the command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

describe(startStack.name, () => {
  let sut: Stack;
  let dovecot: NonNullable<Stack['dovecot']>;
  let smtp: NonNullable<Stack['smtp']>;

  beforeAll(async () => {
    sut = await startStack({ mail: true });
    if (!sut.dovecot || !sut.smtp) throw new Error('startStack({ mail: true }) returned no mail servers');
    dovecot = sut.dovecot;
    smtp = sut.smtp;
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const imapOptions = ({ secure, user = 'user1' }: { secure: boolean; user?: string }): ImapFlowOptions => ({
    host: dovecot.host,
    port: secure ? dovecot.imapsPort : dovecot.imapPort,
    secure,
    doSTARTTLS: secure ? undefined : true,
    tls: { ca: [dovecot.caCertPem] },
    auth: { user, pass: PASSWORD },
  });

  it('should expose the mail servers in the stack env when mail is true', () => {
    expect(sut.env).toMatchObject({
      MAILBUS_TEST_MAIL_HOST: '127.0.0.1',
      MAILBUS_TEST_IMAP_PORT: String(dovecot.imapPort),
      MAILBUS_TEST_POP3S_PORT: String(dovecot.pop3sPort),
      MAILBUS_TEST_SMTP_PORT: String(smtp.port),
    });
    expect(dovecot.users.map(({ username }) => username)).toEqual(['user1', 'user2', 'user3', 'user4', 'user5', 'catchall']);
  });

  it('should log in over IMAP with STARTTLS and verify the certificate when the CA is the stack certificate', async () => {
    const secured = await withImap({ options: imapOptions({ secure: false }), use: async (client) => client.secureConnection });
    expect(secured).toBe(true);
  });

  it('should log in over IMAPS when connecting with implicit TLS', async () => {
    const secured = await withImap({ options: imapOptions({ secure: true }), use: async (client) => client.secureConnection });
    expect(secured).toBe(true);
  });

  it('should list INBOX and the subscribed special-use folders when a user logs in', async () => {
    const folders = await withImap({ options: imapOptions({ secure: true, user: 'user2' }), use: (client) => client.list() });
    const byPath = new Map(folders.map((folder) => [folder.path, folder]));
    expect(byPath.has('INBOX')).toBe(true);
    for (const { name, specialUse } of DOVECOT_SPECIAL_USE_FOLDERS) {
      expect(byPath.get(name)).toMatchObject({ specialUse, specialUseSource: 'extension', subscribed: true });
    }
  });

  it('should fetch a message back by UID when it was appended to INBOX', async () => {
    const raw = rawMessage({ subject: 'imap append' });

    const appended = await appendMessage({ dovecot, username: 'user1', folder: 'INBOX', raw, flags: ['\\Seen'] });

    const fetched = await withImap({
      options: imapOptions({ secure: false }),
      use: async (client) => {
        const lock = await client.getMailboxLock('INBOX');
        try {
          expect(client.mailbox && client.mailbox.uidValidity).toBe(appended.uidValidity);
          return await client.fetchOne(String(appended.uid), { source: true, flags: true, uid: true }, { uid: true });
        } finally {
          lock.release();
        }
      },
    });
    expect(fetched && fetched.uid).toBe(appended.uid);
    expect(fetched && fetched.flags && [...fetched.flags]).toContain('\\Seen');
    expect(fetched && fetched.source?.toString()).toBe(raw);
  });

  it('should STAT, UIDL and RETR over POP3 with STLS and over POP3S when messages are in INBOX', async () => {
    const raws = [rawMessage({ subject: 'pop3 first', to: 'user3@localhost' }), rawMessage({ subject: 'pop3 second', to: 'user3@localhost' })];
    for (const raw of raws) await appendMessage({ dovecot, username: 'user3', raw });

    for (const mode of ['stls', 'implicit'] as const) {
      const { exchange, greeting } = await Pop3Exchange.open({
        host: dovecot.host,
        port: mode === 'stls' ? dovecot.pop3Port : dovecot.pop3sPort,
        tls: mode === 'implicit' ? { ca: dovecot.caCertPem, implicit: true } : undefined,
      });
      try {
        expect(greeting.ok).toBe(true);
        if (mode === 'stls') expect((await exchange.startTls({ ca: dovecot.caCertPem })).ok).toBe(true);
        expect(exchange.encrypted).toBe(true);
        expect((await exchange.command('USER user3')).ok).toBe(true);
        expect((await exchange.command(`PASS ${PASSWORD}`)).ok).toBe(true);

        const stat = await exchange.command('STAT');
        const uidl = await exchange.command('UIDL', { multiline: true });
        const retr = await exchange.command('RETR 1', { multiline: true });

        expect(stat.text).toBe(`2 ${raws.reduce((sum, raw) => sum + Buffer.byteLength(raw), 0)}`);
        expect(uidl.body?.toString().trim().split('\r\n')).toEqual([expect.stringMatching(/^1 [0-9a-f]{16}$/), expect.stringMatching(/^2 [0-9a-f]{16}$/)]);
        expect(retr.body?.toString()).toBe(raws[0]);
        expect((await exchange.command('QUIT')).ok).toBe(true);
      } finally {
        exchange.close();
      }
    }
  });

  it('should log in as a user when it was added while Dovecot runs', async () => {
    await dovecot.addUser({ username: 'late-user', password: PASSWORD });

    const secured = await withImap({ options: imapOptions({ secure: true, user: 'late-user' }), use: async (client) => client.secureConnection });

    expect(secured).toBe(true);
  });

  it('should deliver into the Maildir over LMTP when the recipient is a known user', async () => {
    const lmtp = createTransport({ host: dovecot.host, port: dovecot.lmtpPort, lmtp: true, ignoreTLS: true });
    const raw = rawMessage({ subject: 'lmtp delivery', to: 'user4@localhost' });

    await lmtp.sendMail({ envelope: { from: 'sender@example.com', to: ['user4@localhost'] }, raw });

    const status = await dovecot.doveadm(['mailbox', 'status', '-u', 'user4', 'messages', 'INBOX']);
    expect(status.trim()).toBe('INBOX messages=1');
    expect(await readdir(`${dovecot.mailDir('user4')}/new`)).toHaveLength(1);
  });

  it('should record envelope and bytes when a message is sent with STARTTLS and AUTH', async () => {
    const transport = createTransport({ host: smtp.host, port: smtp.port, requireTLS: true, tls: { ca: [dovecot.caCertPem] }, auth: { user: 'user2', pass: PASSWORD } });
    const raw = rawMessage({ subject: 'smtp sink', to: 'someone@example.org' });

    const info = await transport.sendMail({ envelope: { from: 'user2@localhost', to: ['someone@example.org', 'other@example.net'] }, raw });

    const id = /queued as (\S+)/.exec(info.response)?.[1];
    const received = (await smtp.messages()).find((mail) => mail.id === id);
    expect(received).toMatchObject({ mailFrom: 'user2@localhost', rcptTo: ['someone@example.org', 'other@example.net'], authUser: 'user2', secure: true });
    expect(received?.raw.toString()).toBe(raw);
    expect((await readSmtpSinkMessages(smtp.dir)).map((mail) => mail.id)).toContain(id);
  });

  it('should answer 550 5.1.1 when the recipient contains reject-5xx', async () => {
    const transport = createTransport({ host: smtp.host, port: smtp.port, ignoreTLS: true });

    const sending = transport.sendMail({ envelope: { from: 'a@example.com', to: ['reject-5xx@example.org'] }, raw: rawMessage({ subject: 'rejected' }) });

    await expect(sending).rejects.toMatchObject({ responseCode: 550, response: '550 5.1.1 No such user' });
  });

  it('should answer 451 4.3.0 when the recipient contains defer-4xx', async () => {
    const transport = createTransport({ host: smtp.host, port: smtp.port, ignoreTLS: true });

    const sending = transport.sendMail({ envelope: { from: 'a@example.com', to: ['defer-4xx@example.org'] }, raw: rawMessage({ subject: 'deferred' }) });

    await expect(sending).rejects.toMatchObject({ responseCode: 451, response: '451 4.3.0 Try again later' });
  });

  it('should answer 554 after DATA and keep nothing when a recipient contains reject-data-5xx', async () => {
    const transport = createTransport({ host: smtp.host, port: smtp.port, ignoreTLS: true });
    const before = (await smtp.messages()).length;

    const sending = transport.sendMail({ envelope: { from: 'a@example.com', to: ['ok@example.org', 'reject-data-5xx@example.org'] }, raw: rawMessage({ subject: 'data rejected' }) });

    await expect(sending).rejects.toMatchObject({ responseCode: 554, response: '554 5.6.0 Message content rejected' });
    expect(await smtp.messages()).toHaveLength(before);
  });

  it('should refuse AUTH when the password is not a Dovecot user password', async () => {
    const transport = createTransport({ host: smtp.host, port: smtp.port, requireTLS: true, tls: { ca: [dovecot.caCertPem] }, auth: { user: 'user1', pass: 'wrong' } });

    await expect(transport.verify()).rejects.toMatchObject({ responseCode: 535 });
  });
});

describe(`${startStack.name} stop`, () => {
  it('should close every mail port and leave no Dovecot process when the stack is stopped', async () => {
    const sut = await startStack({ mail: true });
    const { dovecot, smtp } = sut;
    if (!dovecot || !smtp) throw new Error('startStack({ mail: true }) returned no mail servers');
    const ports = [dovecot.imapPort, dovecot.imapsPort, dovecot.pop3Port, dovecot.pop3sPort, dovecot.lmtpPort, smtp.port];
    const masterPid = dovecot.process.pid ?? 0;
    await withImap({ options: { host: dovecot.host, port: dovecot.imapPort, doSTARTTLS: false, auth: { user: 'user5', pass: PASSWORD } }, use: (client) => client.list() });
    expect((await processGroupMembers(masterPid)).length).toBeGreaterThan(1);

    await sut.stop();

    expect(await Promise.all(ports.map((port) => canConnect('127.0.0.1', port)))).toEqual(ports.map(() => false));
    expect(() => process.kill(masterPid, 0)).toThrow();
    expect(await processGroupMembers(masterPid)).toEqual([]);
  });
});
