import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, baseEnv, loadConfig, port, toBaseConfig } from './index';

const schema = baseEnv.extend({ HTTP_PORT: port(8081) }).transform((env) => ({ ...toBaseConfig(env), httpPort: env.HTTP_PORT }));
const valid = { NATS_URL: 'nats://127.0.0.1:4222', MONGODB_URL: 'mongodb://127.0.0.1:27017' };

describe(loadConfig.name, () => {
  it('should map a valid flat environment to nested config with defaults', () => {
    const sut = loadConfig({ service: 'fetcher', schema, env: valid });
    expect(sut).toEqual({
      nats: { url: 'nats://127.0.0.1:4222' },
      mongo: { url: 'mongodb://127.0.0.1:27017', dbName: 'mailbus' },
      log: { level: 'info' },
      shutdownGraceMs: 10_000,
      httpPort: 8081,
    });
  });

  it('should name every missing and bad variable in one line when the environment is invalid', () => {
    const run = () => loadConfig({ service: 'fetcher', schema, env: { NATS_URL: 'http://x', HTTP_PORT: '99999' } });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain('fetcher: invalid configuration');
      expect(message).toContain('NATS_URL: must be a nats:// URL');
      expect(message).toContain('MONGODB_URL is required');
      expect(message).toContain('HTTP_PORT: must be a port number between 1 and 65535');
    }
  });

  it('should reject a non-numeric port', () => {
    expect(() => loadConfig({ service: 'api', schema: z.object({ API_PORT: port(8080) }), env: { API_PORT: 'eighty' } })).toThrow(/API_PORT/);
  });
});
