import { describe, expect, it } from 'vitest';
import { createOutboxSchema } from './outbox.schemas';

const paths = (input: unknown): string[] => {
  const result = createOutboxSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('createOutboxSchema', () => {
  it('should accept user mail with defaults filled in', () => {
    expect(createOutboxSchema.parse({ userId: 'u1', to: ['max@example.org'], subject: 'Hi', text: 'Hello' })).toEqual({ userId: 'u1', to: ['max@example.org'], cc: [], bcc: [], subject: 'Hi', text: 'Hello', attachments: [] });
  });

  it('should accept system mail that names its account and an attachment', () => {
    const parsed = createOutboxSchema.parse({ accountId: 'a1', to: ['orders@example.org'], html: '<p>Order</p>', attachments: [{ filename: 'order.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF').toString('base64') }] });

    expect(parsed.attachments[0]).toEqual({ filename: 'order.pdf', contentType: 'application/pdf', contentBase64: 'JVBERg==' });
  });

  it.each([
    [{ to: ['max@example.org'], text: 'x' }, 'accountId: is required for system mail (a request without userId)'],
    [{ userId: 'u1', to: [], text: 'x' }, 'to: needs at least one recipient'],
    [{ userId: 'u1', to: ['not an address'], text: 'x' }, 'to.0: must be an e-mail address like anna@example.com'],
    [{ userId: 'u1', to: ['max@example.org'] }, 'text: give text, html or both'],
    [{ userId: 'u1', to: ['max@example.org'], text: 'x', attachments: [{ filename: 'a', contentBase64: '***' }] }, 'attachments.0.contentBase64: must be base64'],
    [{ userId: 'u1', to: ['max@example.org'], text: 'x', priority: 'high' }, ": Unrecognized key(s) in object: 'priority'"],
  ])('should refuse %j with a field error', (input, error) => {
    expect(paths(input)).toContain(error);
  });
});
