import { describe, expect, it } from 'vitest';
import type { EnvelopeHeader } from '@mailbus/contracts';
import { headerLines } from '../../test/factories/routing-input.factory';
import { extractEnvelopeRecipients } from './envelope-recipients.util';

// A POP3 catch-all at an ISP, reached through the company's own server: each hop adds its trace on
// top, so the topmost Delivered-To / Received is the grabbing mailbox's own delivery.
const forwarded = headerLines(
  'Return-Path: <sender@elsewhere.example>',
  'Delivered-To: all@isp.example',
  'Received: from mx.company.example by pop.isp.example (Postfix) with ESMTP id A1 for <all@isp.example>; Tue, 4 Mar 2025 10:00:02 +0100',
  'Received: by mx.company.example (Postfix, from userid 0) id B2; Tue, 4 Mar 2025 10:00:01 +0100',
  'X-Original-To: anna@company.example',
  'Delivered-To: anna@company.example',
  'Received: from out.elsewhere.example by mx.company.example (Postfix) with ESMTPS id C3 for <anna@company.example>; Tue, 4 Mar 2025 10:00:00 +0100',
  'Delivered-To: list@lists.example',
  'To: list@lists.example',
);

describe(extractEnvelopeRecipients.name, () => {
  it.each<[string, EnvelopeHeader, number, { header: string; addresses: string[] } | undefined]>([
    ['the topmost Delivered-To without skip (the mailbox itself)', 'Delivered-To', 0, { header: 'Delivered-To', addresses: ['all@isp.example'] }],
    ['the next Delivered-To with skip 1, not the deeper list hop', 'Delivered-To', 1, { header: 'Delivered-To', addresses: ['anna@company.example'] }],
    ['the third Delivered-To with skip 2', 'Delivered-To', 2, { header: 'Delivered-To', addresses: ['list@lists.example'] }],
    ['nothing when skip passes every occurrence', 'Delivered-To', 3, undefined],
    ['X-Original-To', 'X-Original-To', 0, { header: 'X-Original-To', addresses: ['anna@company.example'] }],
    ['Received for, skipping the mailbox own line and ignoring lines without for', 'Received', 1, { header: 'Received', addresses: ['anna@company.example'] }],
    ['nothing for a header the message lacks', 'Envelope-To', 0, undefined],
    ['auto: Delivered-To first when present', 'auto', 1, { header: 'Delivered-To', addresses: ['anna@company.example'] }],
  ])('should take %s', (_case, envelopeHeader, skip, expected) => {
    expect(extractEnvelopeRecipients({ headers: forwarded, envelopeHeader, skip })).toEqual(expected);
  });

  it('should take every address of an Envelope-To list, distinct and normalised', () => {
    const headers = headerLines('Envelope-To: anna@company.example, Bob <bob@company.example>, ANNA@company.example, eva@müller.example');
    expect(extractEnvelopeRecipients({ headers, envelopeHeader: 'Envelope-To', skip: 0 })).toEqual({
      header: 'Envelope-To',
      addresses: ['anna@company.example', 'bob@company.example', 'eva@xn--mller-kva.example'],
    });
  });

  it('should move on to the next kind in auto mode when a kind yields nothing after skipping', () => {
    const headers = headerLines('Delivered-To: all@isp.example', 'X-Original-To: all@isp.example', 'X-Original-To: carl@company.example');
    expect(extractEnvelopeRecipients({ headers, envelopeHeader: 'auto', skip: 1 })).toEqual({ header: 'X-Original-To', addresses: ['carl@company.example'] });
    expect(extractEnvelopeRecipients({ headers, envelopeHeader: 'auto', skip: 0 })).toEqual({ header: 'Delivered-To', addresses: ['all@isp.example'] });
  });

  it('should apply skip to every kind in auto mode', () => {
    const headers = headerLines('Delivered-To: all@isp.example', 'Envelope-To: carl@company.example');
    expect(extractEnvelopeRecipients({ headers, envelopeHeader: 'auto', skip: 1 })).toBeUndefined();
  });

  it('should try Received last in auto mode', () => {
    const headers = headerLines('Received: by mx with ESMTP for <dora@company.example>; Tue, 4 Mar 2025', 'X-Original-To: eva@company.example');
    expect(extractEnvelopeRecipients({ headers, envelopeHeader: 'auto', skip: 0 })).toEqual({ header: 'X-Original-To', addresses: ['eva@company.example'] });
  });

  it('should count a malformed occurrence for skip but pass over it to the next valid one', () => {
    const headers = headerLines('Delivered-To: all@isp.example', 'Delivered-To: <<garbage>>', 'Delivered-To: "quoted"@company.example', 'Delivered-To: anna@company.example');
    expect(extractEnvelopeRecipients({ headers, envelopeHeader: 'Delivered-To', skip: 1 })).toEqual({ header: 'Delivered-To', addresses: ['anna@company.example'] });
    expect(extractEnvelopeRecipients({ headers, envelopeHeader: 'Delivered-To', skip: 3 })).toEqual({ header: 'Delivered-To', addresses: ['anna@company.example'] });
  });

  it('should find nothing, and not throw, when every value is malformed', () => {
    const headers = headerLines('Delivered-To: ', 'Delivered-To: <>', 'X-Original-To: (comment only)', 'Envelope-To: ,,;', 'Received: for <not-an-address>; Tue, 4 Mar 2025', 'Received: garbage for');
    expect(extractEnvelopeRecipients({ headers, envelopeHeader: 'auto', skip: 0 })).toBeUndefined();
  });

  it('should match header names only in lower case, as the parser gives them', () => {
    expect(extractEnvelopeRecipients({ headers: [{ key: 'Delivered-To', value: 'anna@company.example' }], envelopeHeader: 'Delivered-To', skip: 0 })).toBeUndefined();
  });
});
