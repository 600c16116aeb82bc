import { join } from 'node:path';

/**
 * The environment to restart the measured service with, or undefined to leave it as started:
 * BENCH_NODE_OPTIONS (Node flags to try, e.g. `--max-semi-space-size=64`) and, with a profile
 * directory, a preloaded inspector session that writes a V8 CPU profile there (Node 20 refuses
 * --cpu-prof in NODE_OPTIONS).
 */
export function benchNodeEnv(cpuProfileDir: string | undefined, nodeOptions = process.env.BENCH_NODE_OPTIONS ?? ''): Record<string, string> | undefined {
  const flags = [nodeOptions, cpuProfileDir ? `--require ${join(__dirname, 'cpu-profile.preload.js')}` : ''].filter(Boolean).join(' ');
  if (!flags) return undefined;
  return { NODE_OPTIONS: flags, ...(cpuProfileDir ? { MAILBUS_CPU_PROFILE_DIR: cpuProfileDir } : {}) };
}
