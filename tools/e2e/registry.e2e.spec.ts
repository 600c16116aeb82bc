import { fromBinary } from '@bufbuild/protobuf';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountChange, AccountChangedSchema, Events, statusRpcSubject, type AccountView, type GroupView, type Page, type ServiceStatus, type SyncStatusView, type UserView } from '@mailbus/contracts';
import { expectEventually } from '@mailbus/testing';
import { readStoredEvents } from './stream-reader';
import { startSystem, type System } from './system';

type ErrorBody = { error: { code: string; message: string; fields?: Array<{ path: string; message: string }> } };

let system: System;

beforeAll(async () => {
  system = await startSystem({ services: ['api', 'account-registry', 'fetcher'] });
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const createUser = async (body: Record<string, unknown>): Promise<UserView> => {
  const response = await system.api<UserView>('POST', '/v1/users', { body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
};

const imapReceive = { protocol: 'imap', host: 'imap.example.com', username: 'sales', password: 'imap-secret' };

describe('authentication', () => {
  it('should answer 401 with WWW-Authenticate without a token or with a wrong one', async () => {
    for (const token of [null, 'not-a-token-of-this-system']) {
      const response = await system.api<ErrorBody>('GET', '/v1/users', { token });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  it('should answer 403 when the app token manages users or accounts', async () => {
    for (const path of ['/v1/users', '/v1/groups', '/v1/accounts']) {
      const response = await system.api<ErrorBody>('GET', path, { token: system.tokens.app });
      expect(response.status, path).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    }
  });

  it('should answer its own status request over NATS: the bus is internal, the HTTP guard and pipes stay out of it', async () => {
    const client = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [system.stack.natsUrl] } });
    try {
      expect(await firstValueFrom(client.send<ServiceStatus>(statusRpcSubject('api'), {}))).toMatchObject({ service: 'api', ready: true });
    } finally {
      await client.close();
    }
  });

  it('should let the app token read the system status and keep the docs public', async () => {
    expect((await system.api('GET', '/v1/status', { token: system.tokens.app })).status).toBe(200);
    expect((await system.api('GET', '/docs-json', { token: null })).status).toBe(200);
  });
});

describe('users', () => {
  it('should create, read, page, change and delete a user with normalised addresses', async () => {
    const user = await createUser({ displayName: 'Anna Berger', addresses: [' Anna.Berger@Example.COM ', 'anna@müller.de', 'anna.berger@example.com'], defaultFrom: 'Anna.Berger@EXAMPLE.com' });
    expect(user).toMatchObject({ displayName: 'Anna Berger', addresses: ['Anna.Berger@example.com', 'anna@xn--mller-kva.de'], defaultFrom: 'Anna.Berger@example.com', active: true });
    expect((await system.api<UserView>('GET', `/v1/users/${user.id}`)).body).toEqual(user);

    const changed = await system.api<UserView>('PATCH', `/v1/users/${user.id}`, { body: { displayName: 'Anna Klein', addresses: ['anna.klein@example.com'], defaultFrom: null } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ displayName: 'Anna Klein', addresses: ['anna.klein@example.com'] });
    expect(changed.body).not.toHaveProperty('defaultFrom');
    // The address given up is free again.
    await createUser({ displayName: 'Other Anna', addresses: ['anna.berger@example.com'] });

    expect((await system.api('DELETE', `/v1/users/${user.id}`)).status).toBe(204);
    expect((await system.api<ErrorBody>('GET', `/v1/users/${user.id}`)).status).toBe(404);
    await createUser({ displayName: 'Anna again', addresses: ['anna.klein@example.com'] });
  });

  it('should page through users with a stable cursor', async () => {
    const created = await Promise.all([1, 2, 3, 4, 5].map((n) => createUser({ displayName: `Pager ${n}`, addresses: [`pager${n}@example.com`] })));
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await system.api<Page<UserView>>('GET', `/v1/users?limit=2${after ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map(({ id }) => id));
      after = page.body.next;
    } while (after);
    expect(seen).toEqual([...seen].sort());
    for (const { id } of created) expect(seen).toContain(id);
  });

  it('should refuse an address that already belongs to a user or group with 409, in any letter case', async () => {
    await createUser({ displayName: 'Max', addresses: ['max@example.com'] });
    const twice = await system.api<ErrorBody>('POST', '/v1/users', { body: { displayName: 'Max 2', addresses: ['other@example.com', 'MAX@example.com'] } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('max@example.com');
    // The other address of the refused request was not kept claimed.
    await createUser({ displayName: 'Other', addresses: ['other@example.com'] });
    expect((await system.api('POST', '/v1/groups', { body: { address: 'max@example.com', members: [(await createUser({ displayName: 'M', addresses: ['m1@example.com'] })).id] } })).status).toBe(409);
  });

  it('should answer 400 with the bad field for a bad address', async () => {
    const response = await system.api<ErrorBody>('POST', '/v1/users', { body: { displayName: 'Bad', addresses: ['good@example.com', 'Bad <bad@example.com>'] } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.fields).toEqual([{ path: 'addresses.1', message: expect.any(String) }]);
  });

  it('should let a user or group own a domain catch-all, one owner per domain, but not as defaultFrom or account email', async () => {
    const catcher = await createUser({ displayName: 'Catcher', addresses: ['*@Catch-Müller.example'] });
    expect(catcher.addresses).toEqual(['@xn--catch-mller-zhb.example']);
    const twice = await system.api<ErrorBody>('POST', '/v1/groups', { body: { address: '@CATCH-müller.example', members: [catcher.id] } });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toContain('@xn--catch-mller-zhb.example');
    // A plain address of the caught domain can still be owned by someone else.
    await createUser({ displayName: 'Exact', addresses: ['exact@catch-müller.example'] });
    const group = await system.api<GroupView>('POST', '/v1/groups', { body: { address: '@team-catch.example', members: [catcher.id] } });
    expect(group.status).toBe(201);
    expect(group.body.address).toBe('@team-catch.example');
    expect((await system.api<ErrorBody>('POST', '/v1/users', { body: { displayName: 'X', addresses: ['x@example.com'], defaultFrom: '@example.com' } })).status).toBe(400);
    expect((await system.api<ErrorBody>('POST', '/v1/accounts', { body: { name: 'Catch', email: '@example.com', owners: [catcher.id] } })).status).toBe(400);
  });

  it('should refuse to delete a user who owns accounts, and drop a deleted sender from accounts', async () => {
    const owner = await createUser({ displayName: 'Owner', addresses: ['owner@example.com'] });
    const sender = await createUser({ displayName: 'Sender', addresses: ['sender@example.com'] });
    const account = await system.api<AccountView>('POST', '/v1/accounts', { body: { name: 'Owned', email: 'owned@example.com', owners: [owner.id], senders: [sender.id] } });
    expect(account.status).toBe(201);
    const refused = await system.api<ErrorBody>('DELETE', `/v1/users/${owner.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(account.body.id);
    expect((await system.api('DELETE', `/v1/users/${sender.id}`)).status).toBe(204);
    expect((await system.api<AccountView>('GET', `/v1/accounts/${account.body.id}`)).body.senders).toEqual([]);
  });
});

describe('groups', () => {
  it('should create, change and delete a group of existing users', async () => {
    const [a, b] = await Promise.all([createUser({ displayName: 'A', addresses: ['ga@example.com'] }), createUser({ displayName: 'B', addresses: ['gb@example.com'] })]);
    const created = await system.api<GroupView>('POST', '/v1/groups', { body: { address: 'Team@Example.com', name: 'Team', members: [a.id, b.id] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ address: 'Team@example.com', members: [a.id, b.id] });
    const changed = await system.api<GroupView>('PATCH', `/v1/groups/${created.body.id}`, { body: { members: [b.id], address: 'crew@example.com' } });
    expect(changed.body).toMatchObject({ address: 'crew@example.com', members: [b.id] });
    await createUser({ displayName: 'Takes the old group address', addresses: ['team@example.com'] });
    expect((await system.api<Page<GroupView>>('GET', '/v1/groups')).body.items.map(({ id }) => id)).toContain(created.body.id);
    expect((await system.api('DELETE', `/v1/groups/${created.body.id}`)).status).toBe(204);
    expect((await system.api('GET', `/v1/groups/${created.body.id}`)).status).toBe(404);
  });

  it('should name an unknown member in a 400', async () => {
    const a = await createUser({ displayName: 'Known', addresses: ['known@example.com'] });
    const response = await system.api<ErrorBody>('POST', '/v1/groups', { body: { address: 'g2@example.com', members: [a.id, 'NoSuchUser'] } });
    expect(response.status).toBe(400);
    expect(response.body.error.fields).toEqual([{ path: 'members.1', message: 'no user with id NoSuchUser' }]);
  });
});

describe('accounts', () => {
  let owner: UserView;
  beforeAll(async () => {
    owner = await createUser({ displayName: 'Account owner', addresses: ['acc-owner@example.com'] });
  });

  it('should create an account with every setting and show secrets only as passwordSet', async () => {
    const body = {
      name: 'Sales',
      email: 'Sales@Example.com',
      displayName: 'Example Sales',
      replyTo: 'reply@example.com',
      note: 'shared mailbox',
      owners: [owner.id],
      senders: [],
      receive: { ...imapReceive, port: 993, folders: ['INBOX', 'Sent'], deleteAfterDays: 30, onlySinceDays: 30, intervalSeconds: 120, activeHours: { from: '07:00', to: '20:00', days: ['mon', 'fri'], timeZone: 'Europe/Berlin' }, multidrop: true },
      send: { host: 'SMTP.Example.com', port: 587, security: 'starttls', username: 'sales', password: 'smtp-secret', appendToSent: 'never' },
      signature: { text: '-- Sales', html: '<p>Sales</p>' },
      archiveBcc: 'archive@example.com',
    };
    const created = await system.api<AccountView>('POST', '/v1/accounts', { body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      email: 'Sales@example.com',
      revision: 1,
      serviceEnabled: true,
      receive: { protocol: 'imap', port: 993, security: 'tls', passwordSet: true, multidrop: { enabled: true, envelopeHeader: 'auto', skip: 0 }, activeHours: { timeZone: 'Europe/Berlin' } },
      send: { host: 'smtp.example.com', passwordSet: true, appendToSent: 'never' },
    });
    expect(JSON.stringify(created.body)).not.toMatch(/imap-secret|smtp-secret|passwordSealed/);
    const read = await system.api<AccountView>('GET', `/v1/accounts/${created.body.id}`);
    expect(read.body).toEqual(created.body);
    expect((await system.api<Page<AccountView>>('GET', '/v1/accounts?limit=500')).body.items.map(({ id }) => id)).toContain(created.body.id);
  });

  it('should take the longest HTML signature the schema allows (a body far over Express’s default 100 KB), and page such accounts in replies that fit a NATS message', async () => {
    const html = `<p>${'ä'.repeat(100_000 - 7)}</p>`;
    const ids: string[] = [];
    for (let n = 0; n < 8; n += 1) {
      const created = await system.api<AccountView>('POST', '/v1/accounts', { body: { name: `Long signature ${n}`, email: `long-signature${n}@example.com`, owners: [owner.id], signature: { html } } });
      expect(created.status, JSON.stringify(created.body).slice(0, 300)).toBe(201);
      ids.push(created.body.id);
    }
    expect((await system.api<AccountView>('GET', `/v1/accounts/${ids[0]}`)).body.signature?.html).toBe(html);

    // 8 × 200 KB of signatures are more than one NATS reply holds: pages shorter than the limit, and `next` goes on.
    const listed: string[] = [];
    let pages = 0;
    for (let next: string | undefined; ; ) {
      const page = await system.api<Page<AccountView>>('GET', `/v1/accounts?limit=500${next ? `&after=${next}` : ''}`);
      expect(page.status).toBe(200);
      listed.push(...page.body.items.map(({ id }) => id));
      pages += 1;
      next = page.body.next;
      if (!next) break;
    }
    expect(pages).toBeGreaterThan(2);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed).toEqual(expect.arrayContaining(ids));
  });

  it('should merge a PATCH, keep the password, and validate the result as a whole', async () => {
    const { body: account } = await system.api<AccountView>('POST', '/v1/accounts', { body: { name: 'Merge', email: 'merge@example.com', owners: [owner.id], receive: imapReceive, note: 'n' } });
    const patched = await system.api<AccountView>('PATCH', `/v1/accounts/${account.id}`, { body: { note: null, receive: { folders: ['INBOX', 'Archive'], intervalSeconds: 600 } } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ revision: 2, receive: { host: 'imap.example.com', folders: ['INBOX', 'Archive'], intervalSeconds: 600, passwordSet: true } });
    expect(patched.body).not.toHaveProperty('note');
    const unchanged = await system.api<AccountView>('PATCH', `/v1/accounts/${account.id}`, { body: { receive: { intervalSeconds: 600 } } });
    expect(unchanged.body.revision).toBe(2);
    const broken = await system.api<ErrorBody>('PATCH', `/v1/accounts/${account.id}`, { body: { receive: { protocol: 'pop3' } } });
    expect(broken.status).toBe(422);
    expect(broken.body.error.message).toContain('POP3 has a single mailbox');
  });

  it.each([
    ['a bad email', { email: 'sales' }, 'email'],
    ['a port out of range', { receive: { ...imapReceive, port: 99999 } }, 'receive.port'],
    ['an unknown protocol', { receive: { ...imapReceive, protocol: 'nntp' } }, 'receive.protocol'],
    ['empty owners', { owners: [] }, 'owners'],
    ['an unknown owner', { owners: ['NoSuchUser'] }, 'owners.0'],
    ['a bad time zone', { receive: { ...imapReceive, activeHours: { from: '08:00', to: '17:00', timeZone: 'Europe/Nowhere' } } }, 'receive.activeHours.timeZone'],
  ])('should answer 400 naming the field for %s', async (_case, override, path) => {
    const response = await system.api<ErrorBody>('POST', '/v1/accounts', { body: { name: 'Bad', email: 'bad-account@example.com', owners: [owner.id], ...override } });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error.fields?.map((field) => field.path)).toEqual([path]);
  });

  it.each([
    ['POP3 with more than INBOX', { receive: { ...imapReceive, protocol: 'pop3', folders: ['INBOX', 'Sent'] } }, 'POP3 has a single mailbox'],
    ['port 993 with STARTTLS', { receive: { ...imapReceive, port: 993, security: 'starttls' } }, '993'],
    ['receiving without a password', { receive: { protocol: 'imap', host: 'imap.example.com', username: 'u' } }, 'no password'],
  ])('should refuse an unusable receive side with 422: %s', async (_case, override, reason) => {
    const response = await system.api<ErrorBody>('POST', '/v1/accounts', { body: { name: 'Unusable', email: 'unusable@example.com', owners: [owner.id], ...override } });
    expect(response.status, JSON.stringify(response.body)).toBe(422);
    expect(response.body.error.message).toContain(reason);
  });

  it('should answer 409 for a second account with the same address and 404 for unknown ids', async () => {
    await system.api('POST', '/v1/accounts', { body: { name: 'One', email: 'one@example.com', owners: [owner.id] } });
    expect((await system.api('POST', '/v1/accounts', { body: { name: 'Two', email: 'ONE@example.com', owners: [owner.id] } })).status).toBe(409);
    for (const path of ['/v1/accounts/NoSuchAccount', '/v1/accounts/NoSuchAccount/status', '/v1/accounts/NoSuchAccount/folders']) expect((await system.api('GET', path)).status, path).toBe(404);
    expect((await system.api('PATCH', '/v1/accounts/NoSuchAccount', { body: { name: 'x' } })).status).toBe(404);
    expect((await system.api('DELETE', '/v1/accounts/NoSuchAccount')).status).toBe(404);
  });

  it('should publish account.changed for create, update and delete, with names of changed settings and never a secret', async () => {
    const { body: account } = await system.api<AccountView>('POST', '/v1/accounts', { body: { name: 'Evented', email: 'evented@example.com', owners: [owner.id], receive: { ...imapReceive, password: 'event-secret-1' } } });
    await system.api('PATCH', `/v1/accounts/${account.id}`, { body: { receive: { password: 'event-secret-2', intervalSeconds: 600 }, name: 'Evented 2' } });
    await system.api('PATCH', `/v1/accounts/${account.id}`, { body: { name: 'Evented 2' } });
    expect((await system.api('DELETE', `/v1/accounts/${account.id}`)).status).toBe(204);
    expect((await system.api('GET', `/v1/accounts/${account.id}`)).status).toBe(404);

    const events = await expectEventually(async () => {
      const stored = (await readStoredEvents({ natsUrl: system.stack.natsUrl, subject: Events.accountChanged.subject })).filter((event) => fromBinary(AccountChangedSchema, event.data).accountId === account.id);
      expect(stored).toHaveLength(3);
      return stored;
    });
    const decoded = events.map((event) => fromBinary(AccountChangedSchema, event.data));
    expect(decoded.map(({ change, revision }) => [change, revision])).toEqual([
      [AccountChange.CREATED, 1],
      [AccountChange.UPDATED, 2],
      [AccountChange.DELETED, 3],
    ]);
    expect([...decoded[1]!.changedSettings].sort()).toEqual(['credentials', 'identity', 'receive']);
    expect(events.map(({ msgId }) => msgId)).toEqual([1, 2, 3].map((revision) => `account.changed:${account.id}:${revision}`));
    for (const event of events) expect(Buffer.from(event.data).toString('latin1')).not.toMatch(/event-secret/);
  });

  it('should show the fetcher status of an account and let an admin set a folder’s last UID', async () => {
    // Switched off so that the fetcher leaves the (unreachable) server alone and the state stays put.
    const { body: account } = await system.api<AccountView>('POST', '/v1/accounts', { body: { name: 'Status', email: 'status@example.com', owners: [owner.id], serviceEnabled: false, receive: imapReceive } });
    const initial = await system.api<SyncStatusView>('GET', `/v1/accounts/${account.id}/status`);
    expect(initial.body).toMatchObject({ accountId: account.id, state: 'disabled', consecutiveFailures: 0, folders: [] });
    const set = await system.api<SyncStatusView>('PATCH', `/v1/accounts/${account.id}/status`, { body: { folders: [{ path: 'INBOX', lastUid: 4711, uidValidity: 99 }] } });
    expect(set.status).toBe(200);
    expect(set.body.folders).toEqual([{ path: 'INBOX', lastUid: 4711, uidValidity: 99, updatedAt: expect.any(String) }]);
    const lowered = await system.api<SyncStatusView>('PATCH', `/v1/accounts/${account.id}/status`, { body: { folders: [{ path: 'INBOX', lastUid: 10 }] } });
    expect(lowered.body.folders[0]).toMatchObject({ lastUid: 10, uidValidity: 99 });
    expect((await system.api<ErrorBody>('PATCH', `/v1/accounts/${account.id}/status`, { body: { folders: [{ path: 'INBOX', lastUid: -1 }] } })).body.error.fields?.[0]?.path).toBe('folders.0.lastUid');
  });
});

describe('OpenAPI', () => {
  it('should describe the account endpoints with request schemas and examples', async () => {
    const { body: doc } = await system.api<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string }; examples?: unknown }> } }>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }>('GET', '/docs-json', { token: null });
    for (const path of ['/v1/users', '/v1/users/{id}', '/v1/groups', '/v1/accounts', '/v1/accounts/{id}', '/v1/accounts/{id}/test', '/v1/accounts/test', '/v1/accounts/{id}/folders', '/v1/accounts/{id}/status']) expect(doc.paths, path).toHaveProperty([path]);
    const create = doc.paths['/v1/accounts']?.post?.requestBody?.content['application/json'];
    const schema = doc.components.schemas[create?.schema.$ref?.split('/').pop() ?? ''];
    expect(Object.keys(schema?.properties ?? {})).toEqual(expect.arrayContaining(['name', 'email', 'owners', 'receive', 'send', 'signature', 'archiveBcc']));
    expect(create?.examples).toHaveProperty('imap');
  });
});
