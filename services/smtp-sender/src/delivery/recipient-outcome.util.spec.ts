import { describe, expect, it } from 'vitest';
import { recipientOutcome } from './recipient-outcome.util';

const rcptError = (recipient: string, response: string): Error =>
  Object.assign(new Error(`Recipient command failed: ${response}`), { code: 'EENVELOPE', response, responseCode: Number(response.slice(0, 3)), command: 'RCPT TO', recipient });

describe(recipientOutcome.name, () => {
  it('should report every recipient accepted when none was refused', () => {
    const info = { accepted: ['a@example.com', 'b@example.com'], rejected: [], response: '250 2.0.0 Ok: queued as 4E1C3', messageId: '<x@example.com>' };
    expect(recipientOutcome(info)).toEqual({ accepted: ['a@example.com', 'b@example.com'], rejected: [], response: '250 2.0.0 Ok: queued as 4E1C3' });
  });

  it('should report recipients refused one by one while the rest got the message (as printed from nodemailer against the SMTP sink)', () => {
    const info = {
      accepted: ['ok@example.com'],
      rejected: ['reject-5xx@example.com', 'defer-4xx@example.com'],
      rejectedErrors: [rcptError('reject-5xx@example.com', '550 5.1.1 No such user'), rcptError('defer-4xx@example.com', '451 4.3.0 Try again later')],
      response: '250 2.0.0 Ok: queued as 4e956de8-2f15-4aaa-af9b-aca648e73bee',
    };
    expect(recipientOutcome(info)).toEqual({
      accepted: ['ok@example.com'],
      rejected: [
        { recipient: 'reject-5xx@example.com', kind: 'permanent', errorClass: 'rejected', smtpCode: 550, enhancedStatus: '5.1.1', smtpText: '550 5.1.1 No such user' },
        { recipient: 'defer-4xx@example.com', kind: 'retrying', errorClass: 'rejected', smtpCode: 451, enhancedStatus: '4.3.0', smtpText: '451 4.3.0 Try again later' },
      ],
      response: '250 2.0.0 Ok: queued as 4e956de8-2f15-4aaa-af9b-aca648e73bee',
    });
  });

  it('should tell the recipients apart when the error says every recipient was refused', () => {
    const error = Object.assign(new Error("Can't send mail - all recipients were rejected: 451 4.3.0 Try again later"), {
      code: 'EENVELOPE',
      response: '451 4.3.0 Try again later',
      responseCode: 451,
      command: 'RCPT TO',
      rejected: ['reject-5xx@example.com', 'defer-4xx@example.com'],
      rejectedErrors: [rcptError('reject-5xx@example.com', '550 5.1.1 No such user'), rcptError('defer-4xx@example.com', '451 4.3.0 Try again later')],
    });
    const outcome = recipientOutcome(error);
    expect(outcome.accepted).toEqual([]);
    expect(outcome).not.toHaveProperty('response');
    expect(outcome.rejected.map(({ recipient, kind }) => [recipient, kind])).toEqual([
      ['reject-5xx@example.com', 'permanent'],
      ['defer-4xx@example.com', 'retrying'],
    ]);
  });

  it('should read address objects and match errors by position when they lack a recipient', () => {
    const bare = Object.assign(new Error('Recipient command failed: 550 5.1.1 No such user'), { response: '550 5.1.1 No such user', command: 'RCPT TO', code: 'EENVELOPE' });
    const outcome = recipientOutcome({ accepted: [{ address: 'a@example.com' }], rejected: [{ address: 'b@example.com' }], rejectedErrors: [bare] });
    expect(outcome.accepted).toEqual(['a@example.com']);
    expect(outcome.rejected).toEqual([{ recipient: 'b@example.com', kind: 'permanent', errorClass: 'rejected', smtpCode: 550, enhancedStatus: '5.1.1', smtpText: '550 5.1.1 No such user' }]);
  });

  it('should retry a recipient refused without any reply it can see', () => {
    expect(recipientOutcome({ accepted: [], rejected: ['b@example.com'] }).rejected).toEqual([
      { recipient: 'b@example.com', kind: 'retrying', errorClass: 'unknown', smtpText: 'rejected without a reply' },
    ]);
  });
});
