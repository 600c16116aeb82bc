import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);

/** The first executable among the candidates and the directories of PATH, or undefined. */
export async function findExecutable(name: string, candidates: string[] = []): Promise<string | undefined> {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const path of [...candidates, ...pathDirs.map((dir) => join(dir, name))]) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // not here; try the next one
    }
  }
  return undefined;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

let aptUpdated = false;

/**
 * Installs Debian packages when running as root; otherwise fails with the command to run.
 * The stack installs what it needs so that a fresh machine (and CI) needs nothing by hand.
 */
export async function ensureAptPackages({ packages, log }: { packages: string[]; log: (line: string) => void }): Promise<void> {
  const missing: string[] = [];
  for (const pkg of packages) {
    const installed = await execFileAsync('dpkg-query', ['-W', '-f=${Status}', pkg]).then(
      ({ stdout }) => stdout.includes('install ok installed'),
      () => false,
    );
    if (!installed) missing.push(pkg);
  }
  if (missing.length === 0) return;
  if (!isRoot()) throw new Error(`missing Debian packages; run: sudo apt-get install -y ${missing.join(' ')}`);
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    await execFileAsync('apt-get', ['update', '-qq'], { env, maxBuffer: 64 * 1024 * 1024 });
    aptUpdated = true;
  }
  await execFileAsync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env, maxBuffer: 64 * 1024 * 1024 });
}
