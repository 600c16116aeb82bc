import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_LOADERS, SERVICES, TEST_SECRETS } from './service-config-loaders';

const root = resolve(__dirname, '..', '..');
const dockerfile = readFileSync(resolve(root, 'deploy', 'docker', 'Dockerfile'), 'utf8');
const healthcheckPath = resolve(root, 'deploy', 'docker', 'healthcheck.js');

interface Stage {
  name: string;
  from: string;
  instructions: { keyword: string; text: string }[];
}

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const match = /^FROM\s+(\S+)\s+AS\s+(\S+)$/i.exec(line);
      if (!match) throw new Error(`unnamed stage: ${line}`);
      stages.push({ name: match[2]!, from: match[1]!, instructions: [] });
    } else stages.at(-1)?.instructions.push({ keyword: upper, text: `${upper} ${rest.join(' ')}` });
  }
  return stages;
}

/** Instructions the README documents per stage: what runs (RUN), as whom (USER), how it is checked and started. */
const DOCUMENTED = ['RUN', 'USER', 'HEALTHCHECK', 'CMD'];

/** The README's "Container image" table: stage → the instructions in backticks, in order. */
function documentedStages(): Map<string, string[]> {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const section = /\n### Container image\n([\s\S]*?)\n#{2,3} /.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "### Container image" section');
  const stages = new Map<string, string[]>();
  for (const [, stage, commands] of section.matchAll(/^\| `([\w-]+)` \| (.+) \|$/gm))
    stages.set(
      stage!,
      [...commands!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!.replace(/\s+/g, ' ')),
    );
  return stages;
}

const stages = parseDockerfile(dockerfile);
const stage = (name: string): Stage => {
  const found = stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};

describe('deploy/docker/Dockerfile', () => {
  it('should run in each stage exactly the commands the README documents', () => {
    const documented = documentedStages();
    expect([...documented.keys()]).toEqual(stages.map((candidate) => candidate.name));
    for (const { name, instructions } of stages) {
      const actual = instructions.filter((instruction) => DOCUMENTED.includes(instruction.keyword)).map((instruction) => instruction.text.replace(/\s+/g, ' '));
      expect(documented.get(name), `stage ${name}`).toEqual(actual);
    }
  });

  it('should build with the repository build and ship production dependencies only', () => {
    expect(stage('deps').instructions.map((instruction) => instruction.text)).toContain('RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund');
    expect(stage('build').instructions.map((instruction) => instruction.text)).toContain('RUN node tools/build.mjs');
    expect(JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).scripts.build).toBe('node tools/build.mjs');
    const copies = stage('runtime')
      .instructions.filter((instruction) => instruction.keyword === 'COPY')
      .map((instruction) => instruction.text);
    expect(copies).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(copies.some((copy) => copy.startsWith('COPY --from=build') && copy.includes('node_modules'))).toBe(false);
  });

  it('should run as a numeric non-root user, with a HEALTHCHECK by node on /health/live', () => {
    const runtime = stage('runtime');
    const user = runtime.instructions.find((instruction) => instruction.keyword === 'USER')?.text.split(' ')[1] ?? '';
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(runtime.instructions.find((instruction) => instruction.keyword === 'HEALTHCHECK')?.text).toMatch(/CMD \["node", "healthcheck\.js"\]$/);
    expect(readFileSync(healthcheckPath, 'utf8')).toContain('/health/live');
    expect(dockerfile).not.toMatch(/\b(curl|wget)\b/);
  });

  it('should start the entry point that the build produces for every service', () => {
    const cmd = stage('runtime').instructions.find((instruction) => instruction.keyword === 'CMD')?.text ?? '';
    expect(cmd).toContain('exec node --enable-source-maps dist/services/${MAILBUS_SERVICE}/src/main.js');
    for (const service of SERVICES) expect(existsSync(resolve(root, 'services', service, 'src', 'main.ts')), service).toBe(true);
  });

  it('should copy only files that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(resolve(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const required of ['node_modules', 'dist', '.git']) expect(ignored).toContain(required);
    const sources = stages.flatMap(({ instructions }) =>
      instructions.filter((instruction) => instruction.keyword === 'COPY' && !instruction.text.includes('--from=')).flatMap((instruction) => instruction.text.split(' ').slice(1, -1)),
    );
    expect(sources.length).toBeGreaterThan(4);
    for (const source of sources) {
      expect(existsSync(resolve(root, source)), source).toBe(true);
      expect(
        ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`)),
        source,
      ).toEqual([]);
    }
  });
});

describe('deploy/docker/healthcheck.js', () => {
  let server: Server;
  let port: number;
  let status = 200;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/health/live' ? status : 404;
      response.end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const runCheck = (env: Record<string, string>): Promise<number | null> =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, [healthcheckPath], { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
      child.once('error', fail);
      child.once('exit', (code) => done(code));
    });

  it("should know each service's default port, as its config schema does", () => {
    const literal = /const DEFAULT_PORTS = (\{[^}]+\});/.exec(readFileSync(healthcheckPath, 'utf8'))?.[1] ?? '{}';
    const defaults = JSON.parse(literal.replace(/'/g, '"').replace(/([{,]\s*)([a-z]+):/g, '$1"$2":')) as Record<string, number>;
    for (const service of SERVICES) expect(defaults[service], service).toBe(CONFIG_LOADERS[service]({ ...TEST_SECRETS, MAILBUS_ENV: 'production' }).httpPort);
  });

  it("should pass while /health/live answers 200 on the service's port and fail otherwise", async () => {
    status = 200;
    expect(await runCheck({ MAILBUS_SERVICE: 'fetcher', HTTP_PORT: String(port) })).toBe(0);
    expect(await runCheck({ MAILBUS_SERVICE: 'api', API_PORT: String(port) })).toBe(0);
    status = 503;
    expect(await runCheck({ MAILBUS_SERVICE: 'fetcher', HTTP_PORT: String(port) })).toBe(1);
    // The api listens on API_PORT, not HTTP_PORT.
    status = 200;
    expect(await runCheck({ MAILBUS_SERVICE: 'api', HTTP_PORT: String(port), API_PORT: '1' })).toBe(1);
  });
});
