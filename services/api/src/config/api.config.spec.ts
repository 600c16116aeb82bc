import { describe, expect, it } from 'vitest';
import { ConfigError } from '@mailbus/config';
import { loadApiConfig } from './api.config';

const base = { NATS_URL: 'nats://127.0.0.1:4222', MONGODB_URL: 'mongodb://127.0.0.1:27017' };

describe(loadApiConfig.name, () => {
  it('should refuse to start in production without tokens, production being the default', () => {
    expect(() => loadApiConfig(base)).toThrow(ConfigError);
    expect(() => loadApiConfig(base)).toThrow('MAILBUS_API_TOKENS: is required in production');
    expect(() => loadApiConfig({ ...base, MAILBUS_ENV: 'production' })).toThrow('MAILBUS_API_TOKENS: is required in production');
    expect(() => loadApiConfig({ ...base, MAILBUS_ENV: 'production', MAILBUS_API_TOKENS: ' , ' })).toThrow('MAILBUS_API_TOKENS: is required in production');
  });

  it('should generate one admin token in development when none is given', () => {
    const sut = loadApiConfig({ ...base, MAILBUS_ENV: 'development' });
    expect(sut.environment).toBe('development');
    expect(sut.apiTokens).toEqual([{ role: 'admin', token: sut.generatedToken }]);
    expect(sut.generatedToken?.length).toBeGreaterThanOrEqual(16);
    expect(loadApiConfig({ ...base, MAILBUS_ENV: 'development' }).generatedToken).not.toBe(sut.generatedToken);
  });

  it('should take the configured tokens, in development too, without generating one', () => {
    for (const MAILBUS_ENV of ['development', 'production']) {
      const sut = loadApiConfig({ ...base, MAILBUS_ENV, MAILBUS_API_TOKENS: 'admin:aaaaaaaaaaaaaaaa,app:bbbbbbbbbbbbbbbb' });
      expect(sut.apiTokens.map(({ role }) => role)).toEqual(['admin', 'app']);
      expect(sut.generatedToken).toBeUndefined();
    }
  });

  it('should name a bad entry by position without showing it', () => {
    expect(() => loadApiConfig({ ...base, MAILBUS_API_TOKENS: 'admin:tooshort-secret' })).toThrow(/MAILBUS_API_TOKENS: entry 1 \(admin\) needs a token of at least 16/);
    expect(() => loadApiConfig({ ...base, MAILBUS_API_TOKENS: 'admin:tooshort-secret' })).not.toThrow(/tooshort-secret/);
    expect(() => loadApiConfig({ ...base, MAILBUS_ENV: 'development', MAILBUS_API_TOKENS: 'admin:aaaaaaaaaaaaaaaa,guest:cccccccccccccccc' })).toThrow(/MAILBUS_API_TOKENS: entry 2 must be role:token/);
  });

  it('should refuse an unknown MAILBUS_ENV', () => {
    expect(() => loadApiConfig({ ...base, MAILBUS_ENV: 'staging', MAILBUS_API_TOKENS: 'admin:aaaaaaaaaaaaaaaa' })).toThrow('MAILBUS_ENV: must be development or production');
  });
});
