import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAIL_PASSWORD, expectEventually, freePort, startStack, type Stack } from '@mailbus/testing';
import { testMailLogin, type MailClientOptions, type MailServerSettings } from '../src';
import { startSilentServer, type SilentServer } from './fixtures/silent-server.util';

let stack: Stack;
let silent: SilentServer;
let closedPort: number;

beforeAll(async () => {
  [stack, silent, closedPort] = await Promise.all([startStack({ mail: true }), startSilentServer(), freePort()]);
});

afterAll(async () => {
  await silent?.stop();
  await stack?.stop();
});

const TIMEOUT_MS = 1_500;
const WRONG_PASSWORD = 'Wrong-Pa55word-never-echoed';
const options = (timeoutMs = 5_000): MailClientOptions => ({ timeoutMs, tls: { ca: stack.dovecot!.caCertPem } });
const user = { username: 'user1', password: DEFAULT_MAIL_PASSWORD };
type Case = [string, () => Partial<MailServerSettings>, string];

/** What every failure must satisfy besides its class: no password in the text, and within the time bound. */
async function expectOutcome({ settings, outcome, clientOptions = options() }: { settings: MailServerSettings; outcome: string; clientOptions?: MailClientOptions }): Promise<string> {
  const result = await testMailLogin(settings, clientOptions);
  expect(result.outcome, result.message).toBe(outcome);
  expect(result.message).not.toContain(WRONG_PASSWORD);
  expect(result.message).not.toContain(DEFAULT_MAIL_PASSWORD);
  expect(result.durationMs).toBeLessThan(clientOptions.timeoutMs! + 1_000);
  return result.message;
}

describe.each([
  { protocol: 'imap', tlsPort: () => stack.dovecot!.imapsPort, plainPort: () => stack.dovecot!.imapPort, authMessage: '[AUTHENTICATIONFAILED] Authentication failed.' },
  { protocol: 'pop3', tlsPort: () => stack.dovecot!.pop3sPort, plainPort: () => stack.dovecot!.pop3Port, authMessage: '-ERR [AUTH] Authentication failed.' },
] as const)('testMailLogin over $protocol', ({ protocol, tlsPort, plainPort, authMessage }) => {
  const settings = (override: Partial<MailServerSettings>): MailServerSettings => ({ protocol, host: '127.0.0.1', port: tlsPort(), security: 'tls', ...user, ...override });

  it.each<Case>([
    ['ok over implicit TLS', () => ({}), 'ok'],
    ['ok over implicit TLS by host name', () => ({ host: 'localhost' }), 'ok'],
    ['ok with STARTTLS', () => ({ port: plainPort(), security: 'starttls' }), 'ok'],
    ['ok in plaintext', () => ({ port: plainPort(), security: 'none' }), 'ok'],
    ['connect for a closed port', () => ({ port: closedPort }), 'connect'],
    ['tls for implicit TLS against a plaintext port', () => ({ port: plainPort() }), 'tls'],
    ['dns for an unknown host', () => ({ host: 'no-such-host.invalid' }), 'dns'],
  ])('should answer %s', async (_case, override, outcome) => {
    await expectOutcome({ settings: settings(override()), outcome });
  });

  it('should answer auth with Dovecot’s own text for a wrong password', async () => {
    expect(await expectOutcome({ settings: settings({ password: WRONG_PASSWORD }), outcome: 'auth' })).toBe(authMessage);
  });

  it('should answer tls for a certificate it cannot verify', async () => {
    expect(await expectOutcome({ settings: settings({}), outcome: 'tls', clientOptions: { timeoutMs: 5_000 } })).toBe('self-signed certificate');
  });

  it('should answer timeout within timeoutMs for a server that never answers, and hang up on it', async () => {
    const result = await testMailLogin(settings({ port: silent.port, security: 'none' }), options(TIMEOUT_MS));
    expect(result.outcome, result.message).toBe('timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 500);
    await expectEventually(() => expect(silent.openConnections).toBe(0), { timeoutMs: 2_000 });
  });

  it('should answer timeout for STARTTLS against the implicit TLS port (the server waits for a handshake)', async () => {
    await expectOutcome({ settings: settings({ security: 'starttls' }), outcome: 'timeout', clientOptions: options(TIMEOUT_MS) });
  });
});

describe('testMailLogin over smtp', () => {
  const settings = (override: Partial<MailServerSettings>): MailServerSettings => ({ protocol: 'smtp', host: '127.0.0.1', port: stack.smtp!.port, security: 'starttls', ...user, ...override });

  it.each<Case>([
    ['ok with STARTTLS', () => ({}), 'ok'],
    ['ok in plaintext', () => ({ security: 'none' }), 'ok'],
    ['ok without authentication', () => ({ username: '', password: '' }), 'ok'],
    ['connect for a closed port', () => ({ port: closedPort }), 'connect'],
    ['tls for implicit TLS against a plaintext port', () => ({ security: 'tls' }), 'tls'],
    ['dns for an unknown host', () => ({ host: 'no-such-host.invalid' }), 'dns'],
  ])('should answer %s', async (_case, override, outcome) => {
    await expectOutcome({ settings: settings(override()), outcome });
  });

  it('should answer auth with the server’s reply for a wrong password', async () => {
    expect(await expectOutcome({ settings: settings({ password: WRONG_PASSWORD }), outcome: 'auth' })).toBe('535 5.7.8 Authentication credentials invalid');
  });

  it('should answer tls for a certificate it cannot verify', async () => {
    await expectOutcome({ settings: settings({}), outcome: 'tls', clientOptions: { timeoutMs: 5_000 } });
  });

  it('should answer timeout within timeoutMs for a server that never answers, and hang up on it', async () => {
    const result = await testMailLogin(settings({ port: silent.port }), options(TIMEOUT_MS));
    expect(result.outcome, result.message).toBe('timeout');
    expect(result.durationMs).toBeLessThan(TIMEOUT_MS + 500);
    await expectEventually(() => expect(silent.openConnections).toBe(0), { timeoutMs: 2_000 });
  });
});

describe('testMailLogin output', () => {
  it('should write nothing to stdout or stderr, whatever happens', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      const base = { host: '127.0.0.1', security: 'tls' as const, username: 'user1' };
      await Promise.all([
        testMailLogin({ ...base, protocol: 'imap', port: stack.dovecot!.imapsPort, password: DEFAULT_MAIL_PASSWORD }, options()),
        testMailLogin({ ...base, protocol: 'imap', port: stack.dovecot!.imapsPort, password: WRONG_PASSWORD }, options()),
        testMailLogin({ ...base, protocol: 'pop3', port: stack.dovecot!.pop3sPort, password: WRONG_PASSWORD }, options()),
        testMailLogin({ ...base, protocol: 'smtp', port: stack.smtp!.port, security: 'starttls', password: WRONG_PASSWORD }, options()),
      ]);
      expect(stdout).not.toHaveBeenCalled();
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});
