import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileAsync, findExecutable } from './tools.util';

/** The Helm release the chart tests use; built from the Go module proxy when no helm v3 is installed. */
export const HELM_VERSION = 'v3.22.0';
/** Kubernetes version of that release's client-go (v0.37): what `helm template` and lint assume by default. */
const HELM_KUBERNETES_VERSION = { major: '1', minor: '37' };

async function goBinDir(): Promise<string> {
  const { stdout } = await execFileAsync('go', ['env', 'GOPATH']);
  return join(stdout.trim().split(':')[0] ?? '', 'bin');
}

async function isHelm3(path: string): Promise<boolean> {
  return execFileAsync(path, ['version', '--short']).then(
    ({ stdout }) => stdout.trim().startsWith('v3.'),
    () => false,
  );
}

/**
 * Builds helm with `go install` into GOPATH/bin (next to FerretDB), once per machine: 5 to 10 minutes
 * on two cores (most of it the Kubernetes client libraries), then found there by later runs.
 */
async function buildHelm(log: (line: string) => void): Promise<string> {
  if (!(await findExecutable('go', ['/usr/local/go/bin/go']))) throw new Error('helm v3 is missing and Go is not installed to build it');
  log(`building helm ${HELM_VERSION} with Go (first run only, several minutes)`);
  const binDir = await goBinDir();
  await mkdir(binDir, { recursive: true });
  // The version stamps helm's Makefile sets; without them a go-installed helm assumes Kubernetes 1.20.
  const ldflags = [
    `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
    ...['pkg/chartutil', 'pkg/lint/rules'].flatMap((pkg) => [
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=${HELM_KUBERNETES_VERSION.major}`,
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${HELM_KUBERNETES_VERSION.minor}`,
    ]),
  ].join(' ');
  await execFileAsync('go', ['install', `-ldflags=${ldflags}`, `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, GOBIN: binDir, GOFLAGS: '-buildvcs=false' },
  });
  return join(binDir, 'helm');
}

/**
 * The path of a helm v3 binary: HELM_BIN, one on PATH or in GOPATH/bin, or one built now.
 * @example const helm = await ensureHelm({ log: console.log });
 */
export async function ensureHelm({ log }: { log: (line: string) => void }): Promise<string> {
  const candidates = [process.env.HELM_BIN ?? '', join(process.env.HOME ?? '/root', 'go/bin/helm')].filter(Boolean);
  for (const candidate of candidates) if (await isHelm3(candidate)) return candidate;
  const onPath = await findExecutable('helm');
  if (onPath && (await isHelm3(onPath))) return onPath;
  const inGoBin = (await findExecutable('go', ['/usr/local/go/bin/go'])) ? join(await goBinDir(), 'helm') : undefined;
  if (inGoBin && (await isHelm3(inGoBin))) return inGoBin;
  const built = await buildHelm(log);
  if (!(await isHelm3(built))) throw new Error(`helm built at ${built} does not report a v3 version`);
  return built;
}
