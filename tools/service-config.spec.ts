import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '@mailbus/contracts';

const entryPoint = (service: string): string => resolve(__dirname, '..', 'dist', 'services', service, 'src', 'main.js');

describe('service configuration at start', () => {
  it.each(SERVICES)('should stop %s with one clear line when required variables are missing or bad', (service) => {
    expect(existsSync(entryPoint(service)), 'dist/ is missing: run the tests with npm test, which builds first').toBe(true);
    const result = spawnSync(process.execPath, [entryPoint(service)], {
      env: { PATH: process.env.PATH, MONGODB_URL: 'postgres://wrong', HTTP_PORT: '70000', API_PORT: '70000' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`mailbus ${service}: invalid configuration`);
    expect(lines[0]).toContain('NATS_URL is required');
    expect(lines[0]).toContain('MONGODB_URL: must be a mongodb://');
    expect(lines[0]).toMatch(/(HTTP|API)_PORT: must be a port number/);
  });
});
