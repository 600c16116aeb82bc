import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICES } from '@mailbus/contracts';
import { CONFIG_LOADERS, SECRET_KEY_SERVICES, VARIABLES_READ_OUTSIDE_SCHEMAS, variablesReadBy } from './deploy/service-config-loaders';

interface ComposeService {
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  image?: string;
  build?: { context: string; dockerfile: string };
  volumes?: string[];
  ports?: string[];
}

/** What an operator exports before `docker compose up`; compose substitutes ${VAR:?…} and ${VAR:-default} from it. */
const operatorEnv: Record<string, string> = { MAILBUS_API_TOKENS: 'admin:compose-admin-token-1234,app:compose-app-token-12345', MAILBUS_SECRET_KEY: randomBytes(32).toString('base64') };

const interpolate = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      String(value).replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_match, variable: string, kind?: string, fallback?: string) => {
        if (operatorEnv[variable] !== undefined) return operatorEnv[variable];
        if (kind === '-') return fallback ?? '';
        throw new Error(`docker-compose.yml needs ${variable}, which the operator env of this test does not set`);
      }),
    ]),
  );

const compose = parse(readFileSync(resolve(__dirname, '..', 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

describe('docker-compose.yml', () => {
  it('should name the six services, NATS, MongoDB and a mail server for trials, and nothing else', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SERVICES, 'nats', 'mongo', 'mail'].sort());
  });

  it.each(SERVICES)('should give %s every variable its configuration requires', (service) => {
    const definition = compose.services[service];
    expect(definition, `${service} missing from docker-compose.yml`).toBeDefined();
    const env = interpolate(definition?.environment ?? {});
    expect(env.MAILBUS_SERVICE).toBe(service);
    const config = CONFIG_LOADERS[service](env);
    // The health check probes the port the service really listens on.
    expect(definition?.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${config.httpPort}/health/ready`);
  });

  it.each(SERVICES)('should set only variables that %s reads (no misspelt names)', (service) => {
    const known = new Set([...variablesReadBy(service), ...VARIABLES_READ_OUTSIDE_SCHEMAS, ...(SECRET_KEY_SERVICES.includes(service) ? ['MAILBUS_SECRET_KEY'] : [])]);
    const unknown = Object.keys(compose.services[service]?.environment ?? {}).filter((name) => !known.has(name));
    expect(unknown, `${service} does not read these variables`).toEqual([]);
  });

  it('should run every service in production and give the secret key only to those that open account passwords', () => {
    const withKey = SERVICES.filter((service) => compose.services[service]?.environment?.MAILBUS_SECRET_KEY !== undefined).sort();
    expect(withKey).toEqual([...SECRET_KEY_SERVICES].sort());
    for (const service of SERVICES) expect(compose.services[service]?.environment?.MAILBUS_ENV, service).toBe('production');
    expect(compose.services.api?.environment?.MAILBUS_API_TOKENS).toMatch(/^\$\{MAILBUS_API_TOKENS:\?/);
  });

  it('should build every service from the one image and start it only once NATS and MongoDB are healthy', () => {
    for (const service of SERVICES) {
      const definition = compose.services[service];
      expect(definition?.build?.dockerfile, service).toBe('deploy/docker/Dockerfile');
      expect(definition?.depends_on, service).toEqual({ nats: { condition: 'service_healthy' }, mongo: { condition: 'service_healthy' } });
    }
  });

  it('should run NATS with JetStream on a volume', () => {
    const nats = compose.services.nats;
    expect(nats?.healthcheck).toBeDefined();
    expect(nats?.command).toContain('--jetstream');
    const storeDir = nats?.command?.[(nats.command.indexOf('--store_dir') ?? -1) + 1];
    expect(nats?.volumes?.some((volume) => volume.endsWith(`:${storeDir}`) && volume.split(':')[0]! in compose.volumes)).toBe(true);
  });

  it('should run MongoDB 7 as a single-node replica set on a volume, initiated by its health check', () => {
    const mongo = compose.services.mongo;
    expect(mongo?.image).toMatch(/^mongo:7/);
    const replicaSet = mongo?.command?.[(mongo.command.indexOf('--replSet') ?? -1) + 1];
    expect(replicaSet).toBeTruthy();
    expect(mongo?.volumes?.some((volume) => volume.endsWith(':/data/db') && volume.split(':')[0]! in compose.volumes)).toBe(true);
    const check = mongo?.healthcheck?.test.join(' ') ?? '';
    expect(check).toContain(`rs.initiate({ _id: '${replicaSet}'`);
    expect(check).toContain('isWritablePrimary');
    // Every service connects to the set by name.
    for (const service of SERVICES) expect(new URL(interpolate(compose.services[service]?.environment ?? {}).MONGODB_URL ?? '').searchParams.get('replicaSet'), service).toBe(replicaSet);
  });

  it('should offer a mail server with IMAP, POP3 and SMTP and demo users for trials', () => {
    const mail = compose.services.mail;
    const options = mail?.environment?.GREENMAIL_OPTS ?? '';
    for (const protocol of ['smtp', 'pop3', 'imap']) expect(options).toContain(`-Dgreenmail.setup.test.${protocol}`);
    expect(options).toMatch(/-Dgreenmail\.users=\w+:[^@\s]+@example\.com(,\w+:[^@\s]+@example\.com)+/);
    expect(mail?.ports).toEqual(expect.arrayContaining(['3025:3025', '3110:3110', '3143:3143']));
  });
});
