import { describe, expect, it } from 'vitest';
import { redactMongoUrl, scrubPassword } from './redact-mongo-url.util';

describe(redactMongoUrl.name, () => {
  it('should replace the password when the url has credentials', () => {
    expect(redactMongoUrl('mongodb://app:s3cret@db-0:27017,db-1:27017/mailbus?authSource=admin')).toBe('mongodb://app:***@db-0:27017,db-1:27017/mailbus?authSource=admin');
  });

  it('should keep the url when it has no credentials', () => {
    expect(redactMongoUrl('mongodb://127.0.0.1:27017/')).toBe('mongodb://127.0.0.1:27017/');
  });

  it('should hide everything up to the last @ when the password contains an unescaped @ or /', () => {
    expect(redactMongoUrl('mongodb+srv://app:p@ss/w@cluster.example.net/')).toBe('mongodb+srv://app:***@cluster.example.net/');
  });
});

describe(scrubPassword.name, () => {
  it('should remove the raw and the decoded password when the text contains them', () => {
    const url = 'mongodb://app:pa%23ss@db/';

    expect(scrubPassword({ text: 'auth failed for pa%23ss (pa#ss)', url })).toBe('auth failed for *** (***)');
  });

  it('should leave the text alone when the url has no password', () => {
    expect(scrubPassword({ text: 'connect ECONNREFUSED', url: 'mongodb://db/' })).toBe('connect ECONNREFUSED');
  });
});
