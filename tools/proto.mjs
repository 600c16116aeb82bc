// Protobuf code generation for libs/contracts, offline (local buf and protoc-gen-es from node_modules).
//   node tools/proto.mjs generate   buf lint, then buf generate into libs/contracts/src/gen
//   node tools/proto.mjs check      buf lint, then fail (exit 1) if the committed generated code differs
//                                   from what the .proto files generate now
// Works from any working directory: buf runs from the repository root, where proto/buf.gen.yaml's
// relative paths point.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const genDir = 'libs/contracts/src/gen';

function buf(args) {
  const result = spawnSync(join(root, 'node_modules', '.bin', 'buf'), args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw Object.assign(new Error(`buf ${args[0]} failed`), { exitCode: result.status ?? 1 });
}

function listFiles(dir, { allowMissing = false } = {}) {
  if (allowMissing && !existsSync(dir)) return new Map();
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Map(files.map((entry) => [relative(dir, join(entry.parentPath, entry.name)), join(entry.parentPath, entry.name)]));
}

function check() {
  const tmp = mkdtempSync(join(tmpdir(), 'mailbus-proto-'));
  try {
    buf(['generate', '--template', 'proto/buf.gen.yaml', '--output', tmp]);
    const fresh = listFiles(join(tmp, genDir));
    const committed = listFiles(join(root, genDir), { allowMissing: true });
    const problems = [];
    for (const [name, path] of fresh) {
      if (!committed.has(name)) problems.push(`missing: ${genDir}/${name}`);
      else if (!readFileSync(path).equals(readFileSync(committed.get(name)))) problems.push(`stale:   ${genDir}/${name}`);
    }
    for (const name of committed.keys()) if (!fresh.has(name)) problems.push(`extra:   ${genDir}/${name}`);
    if (problems.length > 0) {
      console.error(`proto: generated code is out of date (run node tools/proto.mjs generate)\n  ${problems.sort().join('\n  ')}`);
      return 1;
    }
    console.log('proto: generated code is up to date');
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const command = process.argv[2];
if (command !== 'generate' && command !== 'check') {
  console.error('usage: node tools/proto.mjs generate|check');
  process.exit(2);
}
try {
  buf(['lint', 'proto']);
  if (command === 'generate') {
    buf(['generate', '--template', 'proto/buf.gen.yaml']);
    console.log(`proto: generated ${genDir}`);
  } else process.exitCode = check();
} catch (error) {
  console.error(`proto: ${error.message}`);
  process.exitCode = error.exitCode ?? 1;
}
