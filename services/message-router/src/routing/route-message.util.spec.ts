import { describe, expect, it } from 'vitest';
import { RecipientDirectoryStub } from '../../test/fixtures/recipient-directory.stub';
import { headerLines, mailAddress, multidropAccountFactory, routingAccountFactory, routingInputFactory } from '../../test/factories/routing-input.factory';
import { routeMessage } from './route-message.util';
import { MAX_LOOKUP_ADDRESSES } from './routing.constants';
import type { Delivery, RoutingInput } from './routing.types';

const directory = () =>
  new RecipientDirectoryStub({
    users: [
      { id: 'anna', addresses: ['anna@company.example', 'anna@müller.example'] },
      { id: 'bob', addresses: ['Bob@company.example'] },
      { id: 'carl', addresses: ['carl@company.example'] },
      { id: 'dora', addresses: ['dora@company.example'] },
      { id: 'eva', addresses: ['eva@company.example'] },
      { id: 'frank', addresses: ['*@frank.example'] },
    ],
    groups: [
      { id: 'sales', address: 'sales@company.example', members: ['carl', 'dora', 'anna'] },
      { id: 'support', address: '@support.example', members: ['eva'] },
    ],
  });

type Row = [userId: string | null, folder: Delivery['folder'], rule: Delivery['rule'], matchedAddress: string];
const rows = (deliveries: Delivery[]): Row[] => deliveries.map(({ userId, folder, rule, matchedAddress }) => [userId, folder, rule, matchedAddress]);
const route = async (input: Partial<RoutingInput>): Promise<Row[]> => rows(await routeMessage(routingInputFactory(input), directory()));
const to = (...addresses: string[]) => addresses.map((address) => mailAddress(address));

describe(routeMessage.name, () => {
  describe('a multidrop POP3 mailbox holding mail for five users', () => {
    it.each<[string, Partial<RoutingInput>, Row[]]>([
      [
        'Delivered-To with skip 1 (the mailbox own header on top)',
        {
          account: multidropAccountFactory({ envelopeHeader: 'Delivered-To', skip: 1 }),
          headers: headerLines('Delivered-To: all@isp.example', 'Delivered-To: anna@company.example'),
          to: to('list@lists.example'),
        },
        [['anna', 'inbox', 'envelope-recipient', 'anna@company.example']],
      ],
      [
        'X-Original-To',
        {
          account: multidropAccountFactory({ envelopeHeader: 'X-Original-To' }),
          headers: headerLines('Delivered-To: all@isp.example', 'X-Original-To: Bob <BOB@Company.example>'),
          to: to('anna@company.example'),
        },
        [['bob', 'inbox', 'envelope-recipient', 'bob@company.example']],
      ],
      [
        'an Envelope-To list',
        { account: multidropAccountFactory({ envelopeHeader: 'Envelope-To' }), headers: headerLines('Envelope-To: carl@company.example, dora@company.example') },
        [
          ['carl', 'inbox', 'envelope-recipient', 'carl@company.example'],
          ['dora', 'inbox', 'envelope-recipient', 'dora@company.example'],
        ],
      ],
      [
        'Received for, skipping the mailbox own trace line',
        {
          account: multidropAccountFactory({ envelopeHeader: 'Received', skip: 1 }),
          headers: headerLines(
            'Received: from mx.company.example by pop.isp.example with ESMTP id 1 for <all@isp.example>; Tue, 4 Mar 2025 10:00:01 +0100',
            'Received: by mx.company.example (Postfix, from userid 0) id 2; Tue, 4 Mar 2025 10:00:00 +0100',
            'Received: from out.sender.example by mx.company.example with ESMTPS id 3 for <eva@company.example>; Tue, 4 Mar 2025 09:59:59 +0100',
          ),
        },
        [['eva', 'inbox', 'envelope-recipient', 'eva@company.example']],
      ],
      [
        'auto (Delivered-To first) with a +tag',
        { account: multidropAccountFactory(), headers: headerLines('X-Original-To: carl@company.example', 'Delivered-To: bob+orders@company.example') },
        [['bob', 'inbox', 'envelope-recipient', 'bob@company.example']],
      ],
    ])('should route by %s', async (_case, input, expected) => {
      expect(await route(input)).toEqual(expected);
    });

    it.each<[string, Partial<RoutingInput>, Row[]]>([
      [
        'to the group members when the envelope recipient is a group',
        { account: multidropAccountFactory({ envelopeHeader: 'Delivered-To' }), headers: headerLines('Delivered-To: sales@company.example') },
        [
          ['carl', 'inbox', 'group', 'sales@company.example'],
          ['dora', 'inbox', 'group', 'sales@company.example'],
          ['anna', 'inbox', 'group', 'sales@company.example'],
        ],
      ],
      [
        'by the envelope only, never adding To/Cc recipients (sync rule 25)',
        {
          account: multidropAccountFactory({ envelopeHeader: 'Delivered-To' }),
          headers: headerLines('Delivered-To: anna@company.example'),
          to: to('bob@company.example'),
          cc: to('carl@company.example'),
        },
        [['anna', 'inbox', 'envelope-recipient', 'anna@company.example']],
      ],
      [
        'to the owners when the envelope recipient matches nobody, not to the To recipients',
        { account: multidropAccountFactory({ envelopeHeader: 'Delivered-To' }), headers: headerLines('Delivered-To: all@isp.example'), to: to('bob@company.example') },
        [['owner', 'inbox', 'account-owner', '']],
      ],
      [
        'by To/Cc/Bcc when no envelope recipient is found at all (sync rule 22)',
        {
          account: multidropAccountFactory({ envelopeHeader: 'Delivered-To', skip: 1 }),
          headers: headerLines('Delivered-To: all@isp.example'),
          to: to('bob@company.example'),
          bcc: to('dora@company.example'),
        },
        [
          ['bob', 'inbox', 'recipient-address', 'bob@company.example'],
          ['dora', 'inbox', 'recipient-address', 'dora@company.example'],
        ],
      ],
      [
        'to the owners when neither envelope nor To/Cc match',
        { account: multidropAccountFactory({ envelopeHeader: 'X-Original-To' }), headers: headerLines('X-Original-To: <>'), to: to('stranger@elsewhere.example') },
        [['owner', 'inbox', 'account-owner', '']],
      ],
      [
        'past malformed envelope headers without throwing',
        {
          account: multidropAccountFactory(),
          headers: headerLines(
            'Delivered-To: "unterminated <anna@company.example',
            'X-Original-To: (only a comment)',
            'Envelope-To: ;;,,',
            'Received: from x by y for <carl@company..example>; Tue, 4 Mar 2025',
            'Received: from x by y for <eva@company.example> (garbage',
          ),
        },
        [['eva', 'inbox', 'envelope-recipient', 'eva@company.example']],
      ],
    ])('should route %s', async (_case, input, expected) => {
      expect(await route(input)).toEqual(expected);
    });
  });

  describe('by To, Cc and Bcc', () => {
    it.each<[string, Partial<RoutingInput>, Row[]]>([
      [
        'To, Cc and Bcc recipients in that order',
        { to: [mailAddress('anna@company.example', 'Anna Berger')], cc: to('bob@company.example'), bcc: to('eva@company.example') },
        [
          ['anna', 'inbox', 'recipient-address', 'anna@company.example'],
          ['bob', 'inbox', 'recipient-address', 'bob@company.example'],
          ['eva', 'inbox', 'recipient-address', 'eva@company.example'],
        ],
      ],
      ['case-insensitively', { to: to('ANNA@COMPANY.EXAMPLE') }, [['anna', 'inbox', 'recipient-address', 'anna@company.example']]],
      ['a +tag to the plain address', { to: to('carl+newsletter@company.example') }, [['carl', 'inbox', 'recipient-address', 'carl@company.example']]],
      ['an IDN domain written in Unicode', { to: to('Anna@MÜLLER.example') }, [['anna', 'inbox', 'recipient-address', 'anna@xn--mller-kva.example']]],
      ['an IDN domain written in punycode', { to: to('anna@xn--mller-kva.example') }, [['anna', 'inbox', 'recipient-address', 'anna@xn--mller-kva.example']]],
      ['a user catch-all', { to: to('anything@frank.example') }, [['frank', 'inbox', 'recipient-address', '@frank.example']]],
      ['a group catch-all', { cc: to('help+urgent@support.example') }, [['eva', 'inbox', 'group', '@support.example']]],
      [
        'duplicates across To, Cc and a group to one delivery each, the direct match kept',
        { to: to('sales@company.example', 'dora@company.example'), cc: to('Dora@Company.example', 'anna+x@company.example'), bcc: to('carl@company.example') },
        [
          ['carl', 'inbox', 'recipient-address', 'carl@company.example'],
          ['dora', 'inbox', 'recipient-address', 'dora@company.example'],
          ['anna', 'inbox', 'recipient-address', 'anna@company.example'],
        ],
      ],
      [
        'unmatched mail to the account owners',
        { account: routingAccountFactory({ owners: ['owner', 'deputy', 'owner'] }), to: to('stranger@elsewhere.example') },
        [
          ['owner', 'inbox', 'account-owner', ''],
          ['deputy', 'inbox', 'account-owner', ''],
        ],
      ],
      ['unmatched mail without owners to the unassigned queue', { account: routingAccountFactory({ owners: [] }), to: to('stranger@elsewhere.example') }, [[null, 'unassigned', 'unassigned', '']]],
      ['a message without recipients to the owners', {}, [['owner', 'inbox', 'account-owner', '']]],
      [
        'past malformed addresses',
        { to: to('', 'undisclosed-recipients:;', '<bob@company.example>', 'a@b@company.example', '"x y"@company.example', '@frank.example'), cc: to('dora@company.example') },
        [['dora', 'inbox', 'recipient-address', 'dora@company.example']],
      ],
    ])('should route %s', async (_case, input, expected) => {
      expect(await route(input)).toEqual(expected);
    });
  });

  describe('mail from a Sent folder', () => {
    it.each<[string, Partial<RoutingInput>, Row[]]>([
      ['to the sender in sent', { folderRole: 'sent', from: mailAddress('Anna@Company.example', 'Anna'), to: to('bob@company.example') }, [['anna', 'sent', 'sender-address', 'anna@company.example']]],
      ['to the sender in sent even with a spam verdict', { folderRole: 'sent', spam: true, from: mailAddress('bob+x@company.example') }, [['bob', 'sent', 'sender-address', 'bob@company.example']]],
      [
        'to a group sender members in sent',
        { folderRole: 'sent', from: mailAddress('sales@company.example') },
        [
          ['carl', 'sent', 'sender-address', 'sales@company.example'],
          ['dora', 'sent', 'sender-address', 'sales@company.example'],
          ['anna', 'sent', 'sender-address', 'sales@company.example'],
        ],
      ],
      [
        'to the owners sent folder when the sender is nobody known',
        { folderRole: 'sent', from: mailAddress('someone@elsewhere.example'), to: to('anna@company.example') },
        [['owner', 'sent', 'account-owner', '']],
      ],
      ['to the owners sent folder without a From', { folderRole: 'sent', to: to('anna@company.example') }, [['owner', 'sent', 'account-owner', '']]],
      ['to the unassigned queue without owners', { folderRole: 'sent', account: routingAccountFactory({ owners: [] }), from: mailAddress('not an address') }, [[null, 'unassigned', 'unassigned', '']]],
      [
        'by From, not by envelope, on a multidrop account',
        { folderRole: 'sent', account: multidropAccountFactory(), headers: headerLines('Delivered-To: carl@company.example'), from: mailAddress('eva@company.example') },
        [['eva', 'sent', 'sender-address', 'eva@company.example']],
      ],
    ])('should route %s', async (_case, input, expected) => {
      expect(await route(input)).toEqual(expected);
    });
  });

  describe('spam', () => {
    it.each<[string, Partial<RoutingInput>, Row[]]>([
      [
        'a spam verdict to the spam folder',
        { spam: true, to: to('anna@company.example', 'sales@company.example') },
        [
          ['anna', 'spam', 'recipient-address', 'anna@company.example'],
          ['carl', 'spam', 'group', 'sales@company.example'],
          ['dora', 'spam', 'group', 'sales@company.example'],
        ],
      ],
      ['mail from the Junk folder to the spam folder', { folderRole: 'junk', to: to('bob@company.example') }, [['bob', 'spam', 'recipient-address', 'bob@company.example']]],
      ['unmatched spam to the owners spam folder', { spam: true, to: to('x@elsewhere.example') }, [['owner', 'spam', 'account-owner', '']]],
      ['unmatched spam without owners to the unassigned queue', { folderRole: 'junk', account: routingAccountFactory({ owners: [] }) }, [[null, 'unassigned', 'unassigned', '']]],
      ['mail from another folder to the inbox', { folderRole: 'other', to: to('bob@company.example') }, [['bob', 'inbox', 'recipient-address', 'bob@company.example']]],
      [
        'multidrop spam to the spam folder',
        { spam: true, account: multidropAccountFactory(), headers: headerLines('Envelope-To: eva@company.example') },
        [['eva', 'spam', 'envelope-recipient', 'eva@company.example']],
      ],
    ])('should route %s', async (_case, input, expected) => {
      expect(await route(input)).toEqual(expected);
    });
  });

  describe('directory lookups', () => {
    it('should look every candidate key up in one call', async () => {
      const sut = directory();
      await routeMessage(routingInputFactory({ to: to('anna+x@company.example', 'ANNA+X@company.example'), cc: to('bob@company.example') }), sut);
      expect(sut.calls).toEqual([['anna+x@company.example', 'anna@company.example', '@company.example', 'bob@company.example']]);
    });

    it('should not call the directory when there is no address to look up', async () => {
      const sut = directory();
      await routeMessage(routingInputFactory({ to: to('garbage') }), sut);
      expect(sut.calls).toEqual([]);
    });

    it(`should look up at most ${MAX_LOOKUP_ADDRESSES} distinct addresses when a message has 50,000 recipients`, async () => {
      const sut = directory();
      const crowd = Array.from({ length: 50_000 }, (_, index) => `reader${index}@lists.example`);
      const deliveries = await routeMessage(routingInputFactory({ to: to(...crowd, 'anna@company.example'), cc: to('bob@company.example') }), sut);
      expect(sut.calls).toHaveLength(1);
      expect(sut.calls[0]).toHaveLength(MAX_LOOKUP_ADDRESSES + 1); // 1,000 addresses plus their one catch-all key
      expect(rows(deliveries)).toEqual([['owner', 'inbox', 'account-owner', '']]);
    });
  });
});
