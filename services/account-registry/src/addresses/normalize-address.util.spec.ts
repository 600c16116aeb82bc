import { describe, expect, it } from 'vitest';
import { normalizeRecipientAddress } from '@mailbus/mail-protocol';
import { RpcDomainError } from '@mailbus/service-runtime';
import { normalizeAddressField, normalizeAddressList } from './normalize-address.util';

describe(normalizeAddressField.name, () => {
  it('should refuse a catch-all where a plain address is needed (account email, defaultFrom)', () => {
    expect(() => normalizeAddressField({ value: '@example.com', path: 'email' })).toThrow(RpcDomainError);
  });

  it('should give a catch-all its domain claim key when recipient addresses are normalised', () => {
    expect(normalizeAddressField({ value: '*@Müller.de', path: 'address', normalize: normalizeRecipientAddress })).toEqual({ address: '@xn--mller-kva.de', key: '@xn--mller-kva.de' });
  });
});

describe(normalizeAddressList.name, () => {
  it('should drop repeats by key, catch-alls written either way included', () => {
    const sut = normalizeAddressList({ values: ['Anna@Example.com', '@example.com', 'anna@example.com', '*@EXAMPLE.com'], path: 'addresses', normalize: normalizeRecipientAddress });
    expect(sut.map(({ key }) => key)).toEqual(['anna@example.com', '@example.com']);
  });

  it('should name the bad entry in the 400', () => {
    const sut = () => normalizeAddressList({ values: ['ok@example.com', '@nodomain'], path: 'addresses', normalize: normalizeRecipientAddress });
    expect(sut).toThrow(
      expect.objectContaining({ body: expect.objectContaining({ code: 'validation_failed', fields: [{ path: 'addresses.1', message: expect.stringContaining('not a fully qualified domain') }] }) }),
    );
  });
});
