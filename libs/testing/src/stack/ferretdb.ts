import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { indexFerretDbIds } from './ferretdb-id-indexes';
import { ManagedProcess } from './managed-process';
import { RestartableProcess } from './restartable-process';
import { ensureAptPackages, execFileAsync, findExecutable } from './tools.util';

export const FERRETDB_VERSION = 'v1.24.2';
const DEFAULT_SQLITE_QUERY = '?_pragma=synchronous(normal)';

export interface RunningFerretDb {
  url: string;
  port: number;
  /** kill() and start() crash and restart it on the same port and data. */
  process: RestartableProcess;
  /** Stops FerretDB (and its _id indexer). */
  stop(): Promise<void>;
}

async function goBinDir(): Promise<string> {
  const { stdout } = await execFileAsync('go', ['env', 'GOPATH']);
  return join(stdout.trim().split(':')[0] ?? '', 'bin');
}

/**
 * Builds FerretDB from the Go module proxy. Not `go install …@v1.24.2`: on this network the proxy
 * refuses the module's version list (403), which `go install` reads for deprecation notices, while
 * the version itself downloads fine. The module zip also lacks build/version/version.txt, which
 * FerretDB's build normally generates from git, so we write it.
 */
async function buildFerretDb(log: (line: string) => void): Promise<string> {
  if (!(await findExecutable('go', ['/usr/local/go/bin/go']))) throw new Error('FerretDB is missing and Go is not installed to build it');
  log(`building FerretDB ${FERRETDB_VERSION} with Go (first run only, about two minutes)`);
  const { stdout } = await execFileAsync('go', ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`], { maxBuffer: 16 * 1024 * 1024 });
  const moduleDir = (JSON.parse(stdout) as { Dir: string }).Dir;
  const srcDir = join(tmpdir(), `ferretdb-src-${process.pid}`);
  await rm(srcDir, { recursive: true, force: true });
  await cp(moduleDir, srcDir, { recursive: true, mode: 0 });
  await execFileAsync('chmod', ['-R', 'u+w', srcDir]);
  await writeFile(join(srcDir, 'build/version/version.txt'), `${FERRETDB_VERSION}\n`);
  const binDir = await goBinDir();
  await mkdir(binDir, { recursive: true });
  const target = join(binDir, 'ferretdb');
  await execFileAsync('go', ['build', '-o', target, './cmd/ferretdb'], { cwd: srcDir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GOFLAGS: '-buildvcs=false' } });
  await rm(srcDir, { recursive: true, force: true });
  return target;
}

async function ferretDbBinary(log: (line: string) => void): Promise<string> {
  const candidates = [process.env.FERRETDB_BIN ?? '', join(process.env.HOME ?? '/root', 'go/bin/ferretdb')].filter(Boolean);
  const found = await findExecutable('ferretdb', candidates);
  if (found) return found;
  return buildFerretDb(log);
}

/**
 * FerretDB (MongoDB wire protocol) with the SQLite handler, its data in `dir`. FERRETDB_LOG_LEVEL=debug
 * logs every SQL statement with its time. Know this when reading figures: FerretDB 1.24's SQLite
 * backend creates its indexes on `sjson->"field"` but queries `sjson->'$.field'`, so SQLite never
 * uses them (EXPLAIN QUERY PLAN: SCAN): every query, by _id too, reads the whole collection, and
 * costs grow with the data stored. Unique indexes still enforce uniqueness on insert. Benchmarks (with
 * FERRETDB_ID_INDEXES=1) and tests of thousands of messages (`idIndexes`) add the index FerretDB's _id
 * lookups need (see ferretdb-id-indexes.ts).
 * FERRETDB_DEBUG_ADDR=127.0.0.1:8088 serves FerretDB's Go pprof there (`go tool pprof -top http://…/debug/pprof/profile`).
 *
 * SQLite runs with synchronous=NORMAL (FERRETDB_SQLITE_QUERY replaces the URL's query): in WAL mode a
 * commit then survives any process crash and only an OS crash may lose the last ones, as with MongoDB's
 * default write concern, which acknowledges before its journal's next flush. FULL, SQLite's default,
 * syncs the WAL inside every commit while holding the one write lock (bench:send: 28 msg/s with NORMAL, 24 with FULL).
 */
export async function startFerretDb({ dir, log, idIndexes = process.env.FERRETDB_ID_INDEXES === '1' }: { dir: string; log: (line: string) => void; idIndexes?: boolean }): Promise<RunningFerretDb> {
  const binary = await ferretDbBinary(log);
  const dataDir = join(dir, 'ferretdb');
  await mkdir(dataDir, { recursive: true });
  const logLevel = process.env.FERRETDB_LOG_LEVEL ?? 'warn';
  const launch = (port: number): ManagedProcess =>
    ManagedProcess.start({
      name: 'ferretdb',
      command: binary,
      // --state-dir keeps FerretDB's state.json out of the working directory.
      args: ['--handler=sqlite', `--sqlite-url=file:${dataDir}/${process.env.FERRETDB_SQLITE_QUERY ?? DEFAULT_SQLITE_QUERY}`, `--state-dir=${dir}`, `--listen-addr=127.0.0.1:${port}`, '--telemetry=disable', `--log-level=${logLevel}`, `--debug-addr=${process.env.FERRETDB_DEBUG_ADDR ?? '-'}`],
      logFile: join(dir, 'ferretdb.log'),
    });
  const { process: first, port } = await ManagedProcess.startOnFreePort({ start: launch, log });
  const ferretDb = new RestartableProcess(first, port, launch);
  if (idIndexes) await ensureAptPackages({ packages: ['sqlite3'], log });
  const indexer = idIndexes ? indexFerretDbIds({ dataDir, log }) : undefined;
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    port,
    process: ferretDb,
    stop: async () => {
      await indexer?.stop();
      await ferretDb.stop();
    },
  };
}
