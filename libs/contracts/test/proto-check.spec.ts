import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..', '..');
const gen = 'libs/contracts/src/gen/mailbus/v1';

// Runs the real script, from a foreign working directory to prove it does not depend on it.
const check = (repo: string) => spawnSync(process.execPath, [join(repo, 'tools', 'proto.mjs'), 'check'], { cwd: tmpdir(), encoding: 'utf8' });

/** The parts of the repository the check reads, in a temp dir, so a test can break them safely. */
function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailbus-proto-check-'));
  for (const path of ['proto', 'libs/contracts/src/gen', 'tools/proto.mjs']) cpSync(join(root, path), join(dir, path), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

describe('proto.mjs check', () => {
  let sut: string | undefined;
  afterEach(() => {
    if (sut) rmSync(sut, { recursive: true, force: true });
    sut = undefined;
  });

  it('should pass when the generated code in the repository matches the .proto files', () => {
    const result = check(root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('proto: generated code is up to date');
  });

  it('should fail and name each file when generated code is altered, missing or extra', () => {
    sut = copyRepo();
    expect(check(sut).status).toBe(0);
    appendFileSync(join(sut, gen, 'spam_marked_pb.ts'), '// hand edit\n');
    unlinkSync(join(sut, gen, 'mailbox_pb.ts'));
    writeFileSync(join(sut, gen, 'leftover_pb.ts'), 'export {};\n');

    const result = check(sut);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`stale:   ${gen}/spam_marked_pb.ts`);
    expect(result.stderr).toContain(`missing: ${gen}/mailbox_pb.ts`);
    expect(result.stderr).toContain(`extra:   ${gen}/leftover_pb.ts`);
  });

  it('should fail when a .proto file changed without regenerating', () => {
    sut = copyRepo();
    appendFileSync(join(sut, 'proto', 'mailbus', 'v1', 'spam_marked.proto'), '\nmessage SpamMarkedAudit {\n  string note = 1;\n}\n');

    const result = check(sut);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`stale:   ${gen}/spam_marked_pb.ts`);
  });

  it('should fail with the lint finding when a .proto file breaks the STANDARD rules', () => {
    sut = copyRepo();
    writeFileSync(join(sut, 'proto', 'mailbus', 'v1', 'bad_enum.proto'), 'syntax = "proto3";\npackage mailbus.v1;\nenum BadEnum {\n  FIRST = 0;\n}\n');

    const result = check(sut);

    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('should be suffixed with "_UNSPECIFIED"');
  });
});
