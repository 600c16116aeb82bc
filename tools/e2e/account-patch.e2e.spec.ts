import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, UserView } from '@mailbus/contracts';
import { startSystem, type System } from './system';

type ErrorBody = { error: { code: string; message: string; fields?: Array<{ path: string; message: string }> } };

let system: System;
let owner: UserView;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry'] });
  owner = (await system.api<UserView>('POST', '/v1/users', { body: { displayName: 'Patch owner', addresses: ['patch-owner@example.com'] } })).body;
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const receive = { protocol: 'imap', host: 'imap.example.com', port: 993, security: 'tls', username: 'sales', password: 'imap-secret' };
const send = { host: 'smtp.example.com', port: 587, security: 'starttls', username: 'sales', password: 'smtp-secret' };

let accountSeq = 0;
const createAccount = async (settings: Record<string, unknown>): Promise<AccountView> => {
  accountSeq += 1;
  const response = await system.api<AccountView>('POST', '/v1/accounts', { body: { name: `Patch ${accountSeq}`, email: `patch${accountSeq}@example.com`, owners: [owner.id], ...settings } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
};
const patch = <Body = AccountView>(id: string, body: unknown) => system.api<Body>('PATCH', `/v1/accounts/${id}`, { body });

describe('PATCH /v1/accounts/:id of nested objects', () => {
  it('should change one multidrop field and keep the others', async () => {
    const account = await createAccount({ receive: { ...receive, multidrop: { enabled: true, envelopeHeader: 'Delivered-To', skip: 1 } } });

    const patched = await patch(account.id, { receive: { multidrop: { skip: 2 } } });

    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.receive?.multidrop).toEqual({ enabled: true, envelopeHeader: 'Delivered-To', skip: 2 });
    expect((await system.api<AccountView>('GET', `/v1/accounts/${account.id}`)).body.receive?.multidrop).toEqual({ enabled: true, envelopeHeader: 'Delivered-To', skip: 2 });
  });

  it('should change the active hours and keep their days and time zone', async () => {
    const account = await createAccount({ receive: { ...receive, activeHours: { days: ['mon', 'wed'], from: '07:00', to: '19:00', timeZone: 'Europe/Berlin' } } });

    const patched = await patch(account.id, { receive: { activeHours: { from: '08:00', to: '17:00' } } });

    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.receive?.activeHours).toEqual({ days: ['mon', 'wed'], from: '08:00', to: '17:00', timeZone: 'Europe/Berlin' });
  });
});

describe('PATCH /v1/accounts/:id of a side’s server', () => {
  it('should refuse to move a stored receive password to another server with 422 naming the side and fields', async () => {
    const account = await createAccount({ receive, send });

    const refused = await patch<ErrorBody>(account.id, { receive: { host: 'attacker.example', security: 'none', port: 143 } });

    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.error.code).toBe('unprocessable');
    expect(refused.body.error.message).toContain('receive.host, receive.port, receive.security');
    expect(refused.body.error.message).toContain('receive.password');
    expect((await system.api<AccountView>('GET', `/v1/accounts/${account.id}`)).body).toMatchObject({ revision: 1, receive: { host: 'imap.example.com', security: 'tls' } });
  });

  it('should refuse a new send login without the send password, and accept it with one', async () => {
    const account = await createAccount({ receive, send });

    const refused = await patch<ErrorBody>(account.id, { send: { username: 'someone-else' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('send.username');

    const accepted = await patch(account.id, { send: { username: 'someone-else', password: 'their-secret' } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.send).toMatchObject({ username: 'someone-else', passwordSet: true });
  });

  it('should move the receive side to another server when the password comes along, and keep the password for other settings', async () => {
    const account = await createAccount({ receive, send });

    const moved = await patch(account.id, { receive: { host: 'imap.other.example', password: 'other-secret' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.receive).toMatchObject({ host: 'imap.other.example', passwordSet: true });

    const tuned = await patch(account.id, { receive: { folders: ['INBOX', 'Archive'], intervalSeconds: 600, enabled: false }, send: { appendToSent: 'never' } });
    expect(tuned.status, JSON.stringify(tuned.body)).toBe(200);
    expect(tuned.body).toMatchObject({ revision: 3, receive: { folders: ['INBOX', 'Archive'], passwordSet: true }, send: { appendToSent: 'never', passwordSet: true } });
  });
});

describe('IMAP folder names', () => {
  it('should store INBOX in capitals whatever letter case it was given in, on create and on PATCH', async () => {
    const account = await createAccount({ receive: { ...receive, folders: ['inbox', 'Sent'] } });
    expect(account.receive?.folders).toEqual(['INBOX', 'Sent']);

    const patched = await patch(account.id, { receive: { folders: ['Sent', 'Inbox'] } });
    expect(patched.body.receive?.folders).toEqual(['Sent', 'INBOX']);
  });
});

describe('request size', () => {
  /** A folder name of `bytes` bytes as JSON: control characters are valid in a folder name and take 6 bytes each (`\u0001`). */
  const folderOfBytes = (bytes: number) => {
    const escaped = Math.min(1000, Math.floor(bytes / 6));
    return '\u0001'.repeat(escaped) + 'a'.repeat(bytes - 6 * escaped);
  };

  /**
   * A PATCH of exactly `bytes` bytes that the api's schema accepts and forwards as large as it came:
   * folders only account-registry refuses (a POP3 account has INBOX alone), so its answer is small.
   */
  const foldersPatchOfBytes = (bytes: number) => {
    const folders: string[] = [];
    const left = () => bytes - Buffer.byteLength(JSON.stringify({ receive: { folders } }));
    while (left() > 2 * 6003) folders.push(folderOfBytes(6000));
    const rest = left() - 6; // two more names: quotes and commas
    folders.push(folderOfBytes(Math.floor(rest / 2)), folderOfBytes(Math.ceil(rest / 2)));
    const body = { receive: { folders } };
    expect(Buffer.byteLength(JSON.stringify(body))).toBe(bytes);
    return body;
  };

  const pop3Account = () => createAccount({ receive: { ...receive, protocol: 'pop3', port: 995 } });

  it('should answer 413 for a body just under 1 MiB, which would not fit one NATS message with the RPC framing, never 503', async () => {
    const account = await pop3Account();

    const response = await patch<ErrorBody>(account.id, foldersPatchOfBytes(1024 * 1024 - 100));

    expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it('should hand the largest body it accepts on to account-registry in one NATS message', async () => {
    const account = await pop3Account();

    const response = await patch<ErrorBody>(account.id, foldersPatchOfBytes(1024 * 1024 - 16 * 1024));

    expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(422);
    expect(response.body.error.message).toContain('POP3 has a single mailbox');
  });
});
