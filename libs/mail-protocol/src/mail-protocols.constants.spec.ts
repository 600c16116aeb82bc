import { describe, expect, it } from 'vitest';
import { MAIL_PROTOCOLS, RECEIVE_PROTOCOLS } from './mail-protocols.constants';

describe('RECEIVE_PROTOCOLS', () => {
  it('should be the mail protocols without smtp', () => {
    expect(RECEIVE_PROTOCOLS).toEqual(MAIL_PROTOCOLS.filter((protocol) => protocol !== 'smtp'));
  });
});
