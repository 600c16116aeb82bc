/**
 * `npm test`: every check and every test, in the order that fails fastest.
 *   1. generated protobuf code is up to date, 2. lint (with Nx module boundaries), 3. type check,
 *   4. the local stack comes up once (installs Dovecot and builds FerretDB on a fresh machine, so
 *      no test pays for that inside its timeout), and helm is built when the chart tests will run,
 *   5. vitest: unit, integration and end-to-end tests.
 * Extra arguments go to vitest, e.g. `npm test -- libs/nats-transport`.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureHelm, startStack } from '@mailbus/testing';

const root = resolve(__dirname, '..', '..');
const say = (line: string): void => void process.stdout.write(`${line}\n`);

function run(title: string, command: string, args: string[]): Promise<void> {
  const started = Date.now();
  say(`\n== ${title}: ${command} ${args.join(' ')}`);
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } });
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      if (code === 0) {
        say(`== ${title}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        done();
      } else fail(new Error(`${title} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

async function warmUpStack(): Promise<void> {
  const started = Date.now();
  say('\n== local stack: preparing (installs and builds what is missing)');
  const stack = await startStack({ mail: true, log: (line) => say(`[stack] ${line}`) });
  await stack.stop();
  say(`== local stack: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The chart tests (tools/deploy) need helm v3; a fresh machine builds it here, outside any test timeout. */
async function warmUpHelm(): Promise<void> {
  const started = Date.now();
  say('\n== helm: looking for helm v3 (builds it with Go when missing)');
  const helm = await ensureHelm({ log: (line) => say(`[helm] ${line}`) });
  say(`== helm: ${helm} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const vitestArgs = process.argv.slice(2);
  const npx = (bin: string): string => resolve(root, 'node_modules', '.bin', bin);
  if (vitestArgs.length === 0) {
    await run('protobuf', process.execPath, ['tools/proto.mjs', 'check']);
    // The module-boundary rule reads Nx's project graph; computing it first keeps the rule from being skipped.
    await run('project graph', npx('nx'), ['show', 'projects']);
    await run('lint', npx('eslint'), ['.', '--max-warnings', '0']);
    await run('typecheck', npx('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  }
  await warmUpStack();
  if (vitestArgs.length === 0 || vitestArgs.some((arg) => arg === 'tools' || arg.includes('deploy'))) await warmUpHelm();
  await run('tests', npx('vitest'), ['run', ...vitestArgs]);
}

main().catch((error: Error) => {
  say(`\nnpm test failed: ${error.message}`);
  process.exit(1);
});
