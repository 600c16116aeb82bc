import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAIL_PASSWORD, freePort, startStack, type Stack } from '@mailbus/testing';
import { MailConnectionError, listImapFolders, type MailServerSettings } from '../src';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ mail: true });
});

afterAll(async () => {
  await stack?.stop();
});

const settings = (override: Partial<MailServerSettings> = {}): MailServerSettings => ({
  protocol: 'imap',
  host: '127.0.0.1',
  port: stack.dovecot!.imapsPort,
  security: 'tls',
  username: 'user1',
  password: DEFAULT_MAIL_PASSWORD,
  ...override,
});
const options = () => ({ timeoutMs: 5_000, tls: { ca: stack.dovecot!.caCertPem } });

describe(listImapFolders.name, () => {
  it('should list Dovecot’s folders with their special-use flags, INBOX first, then by path', async () => {
    const folders = await listImapFolders(settings(), options());
    expect(folders.map(({ path, specialUse }) => [path, specialUse])).toEqual([
      ['INBOX', '\\Inbox'],
      ['Archive', '\\Archive'],
      ['Drafts', '\\Drafts'],
      ['Junk', '\\Junk'],
      ['Sent', '\\Sent'],
      ['Trash', '\\Trash'],
    ]);
    expect(folders.every((folder) => folder.selectable && folder.subscribed && folder.delimiter.length === 1)).toBe(true);
    expect(folders.find(({ path }) => path === 'Sent')?.flags).toContain('\\Sent');
  });

  it('should work over STARTTLS too', async () => {
    const folders = await listImapFolders(settings({ port: stack.dovecot!.imapPort, security: 'starttls' }), options());
    expect(folders[0]?.path).toBe('INBOX');
  });

  it.each([
    ['auth for a wrong password', () => ({ password: 'wrong' }), 'auth', '[AUTHENTICATIONFAILED] Authentication failed.'],
    [
      'tls for implicit TLS against the plaintext port',
      () => ({ port: stack.dovecot!.imapPort }),
      'tls',
      'TLS handshake failed: wrong version number (the port does not speak TLS: try security "starttls" or "none")',
    ],
  ])('should throw a classified MailConnectionError: %s', async (_case, override, errorClass, message) => {
    const failure = listImapFolders(settings(override()), options());
    await expect(failure).rejects.toBeInstanceOf(MailConnectionError);
    await expect(failure).rejects.toMatchObject({ errorClass, message });
  });

  it('should throw connect for a closed port', async () => {
    await expect(listImapFolders(settings({ port: await freePort() }), options())).rejects.toMatchObject({ errorClass: 'connect' });
  });
});
