import { describe, expect, it } from 'vitest';
import type { HeaderLine } from './parsed-message.types';
import { spamVerdictFromHeaders } from './spam-verdict.util';

const h = (...pairs: [string, string][]): HeaderLine[] => pairs.map(([key, value]) => ({ key, value }));

describe(spamVerdictFromHeaders.name, () => {
  it.each<[string, HeaderLine[], ReturnType<typeof spamVerdictFromHeaders>]>([
    ['SpamAssassin flag', h(['x-spam-flag', 'YES']), { spam: true, source: 'x-spam-flag' }],
    ['SpamAssassin flag NO', h(['x-spam-flag', 'NO']), { spam: false, source: 'x-spam-flag' }],
    ['SpamAssassin status', h(['x-spam-status', 'Yes, score=7.1 required=5.0 tests=BAYES_99']), { spam: true, source: 'x-spam-status', score: 7.1 }],
    ['SpamAssassin status clean', h(['x-spam-status', 'No, hits=-2.6 required=5.0']), { spam: false, source: 'x-spam-status', score: -2.6 }],
    ['Rspamd X-Spam', h(['x-spam', 'Yes'], ['x-rspamd-score', '12.4']), { spam: true, source: 'x-spam', score: 12.4 }],
    ['Rspamd result', h(['x-spamd-result', 'default: True [10.50 / 15.00]; R_SPF_FAIL(1.00)']), { spam: true, source: 'x-spamd-result', score: 10.5 }],
    ['Rspamd action', h(['x-rspamd-action', 'add header']), { spam: true, source: 'x-rspamd-action' }],
    ['Rspamd greylist', h(['x-rspamd-action', 'greylist']), { spam: false, source: 'x-rspamd-action' }],
    ['Exchange SCL', h(['x-ms-exchange-organization-scl', '5']), { spam: true, source: 'x-ms-exchange-organization-scl', score: 5 }],
    ['Exchange SCL trusted', h(['x-ms-exchange-organization-scl', '-1']), { spam: false, source: 'x-ms-exchange-organization-scl', score: -1 }],
    ['Forefront SPM', h(['x-forefront-antispam-report', 'CIP:1.2.3.4;CTRY:;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:SPM;H:x;']), { spam: true, source: 'x-forefront-antispam-report', score: 9 }],
    ['Forefront NSPM', h(['x-forefront-antispam-report', 'CIP:1.2.3.4;SCL:1;SFV:NSPM;']), { spam: false, source: 'x-forefront-antispam-report', score: 1 }],
    ['stars only', h(['x-spam-level', '*******']), { spam: true, source: 'x-spam-level', score: 7 }],
    ['few stars', h(['x-spam-level', '**']), { spam: false, source: 'x-spam-level', score: 2 }],
    ['nothing', h(['subject', 'hello']), { spam: false }],
  ])('should read %s', (_name, headers, expected) => {
    expect(spamVerdictFromHeaders(headers)).toEqual(expected);
  });

  it('should let the topmost verdict header decide when a lower one was forged by the sender', () => {
    const sut = spamVerdictFromHeaders(h(['received', 'by mx'], ['x-spam-status', 'Yes, score=12.0'], ['x-spam-flag', 'NO']));
    expect(sut).toEqual({ spam: true, source: 'x-spam-status', score: 12 });
  });

  it('should read only the first occurrence when a header repeats', () => {
    expect(spamVerdictFromHeaders(h(['x-spam-flag', 'NO'], ['x-spam-flag', 'YES']))).toEqual({ spam: false, source: 'x-spam-flag' });
  });

  it('should skip a verdict header that says nothing usable and go on to the next', () => {
    expect(spamVerdictFromHeaders(h(['x-ms-exchange-organization-scl', ''], ['x-spam-flag', 'YES']))).toEqual({ spam: true, source: 'x-spam-flag' });
  });
});
