import { randomBytes } from 'node:crypto';
import { MongoClient, MongoNetworkError, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DirectoryCollections } from '@mailbus/directory';
import { startStack, type Stack } from '@mailbus/testing';
import { AddressClaims } from '../src/addresses/address-claims';
import type { UserReferences } from '../src/users/user-references';
import { UsersRepository } from '../src/users/users.repository';
import { UsersService } from '../src/users/users.service';

/** The user is referenced nowhere else: this spec is about the user and its address claims. */
const noReferences = { accountsOwnedBy: async () => [], removeEverywhere: async () => undefined } as unknown as UserReferences;

const blip = () => new MongoNetworkError('connection reset by peer (test)');

describe(`${UsersService.name} delete`, () => {
  let stack: Stack;
  let mongo: MongoClient;
  let db: Db;

  beforeAll(async () => {
    stack = await startStack();
    mongo = await MongoClient.connect(stack.mongoUrl);
    db = mongo.db(`registry_users_${randomBytes(4).toString('hex')}`);
  });

  afterAll(async () => {
    await mongo?.close();
    await stack?.stop();
  });

  const setup = () => {
    const users = new UsersRepository(db);
    const claims = new AddressClaims(db);
    return { users, claims, sut: new UsersService(users, claims, noReferences) };
  };
  const claimsOf = (userId: string) => db.collection(DirectoryCollections.addressClaims).countDocuments({ 'owner.kind': 'user', 'owner.id': userId });

  it('should release the address claims on a retried DELETE when releasing them failed the first time', async () => {
    const { users, claims, sut } = setup();
    const user = await sut.create({ displayName: 'Leaving', addresses: ['leaving@example.com', '@leaving.example'] });
    expect(await claimsOf(user.id)).toBe(2);
    vi.spyOn(claims, 'releaseAll').mockRejectedValueOnce(blip());

    await expect(sut.delete(user.id)).rejects.toBeInstanceOf(MongoNetworkError);
    await sut.delete(user.id);

    expect(await claimsOf(user.id)).toBe(0);
    expect(await users.findById(user.id)).toBeNull();
    await expect(sut.delete(user.id)).rejects.toMatchObject({ body: { code: 'not_found' } });
  });

  it('should stop routing to the user at once and finish on a retried DELETE when removing the user failed', async () => {
    const { users, sut } = setup();
    const user = await sut.create({ displayName: 'Leaving too', addresses: ['leaving-too@example.com'] });
    vi.spyOn(users, 'delete').mockRejectedValueOnce(blip());

    await expect(sut.delete(user.id)).rejects.toBeInstanceOf(MongoNetworkError);
    expect(await claimsOf(user.id)).toBe(0);
    await sut.delete(user.id);

    expect(await users.findById(user.id)).toBeNull();
    // The address is free for somebody else.
    await sut.create({ displayName: 'Successor', addresses: ['leaving-too@example.com'] });
  });
});
