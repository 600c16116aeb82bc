import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileAsync } from './tools.util';

const SCAN_EVERY_MS = 1_000;
const INDEX_SUFFIX = '_mailbus_id_expr';

/**
 * For benchmarks (FERRETDB_ID_INDEXES=1) and tests of thousands of messages (startFerretDb's idIndexes):
 * FerretDB 1.24's SQLite backend indexes `sjson->"_id"` but queries `sjson->'$._id'`, so every lookup
 * by _id scans the collection, and a benchmark measures that scan instead of mailbus (MongoDB answers
 * _id lookups from its index), and a test waits minutes for what takes seconds. This adds, once a second,
 * an SQLite index on exactly the expression FerretDB queries to every collection table that lacks one.
 * FerretDB does not see it (its indexes live in its own metadata) and drops it with the table. Filters
 * other than _id alone are still evaluated by FerretDB in Go, as before. Needs the sqlite3 CLI.
 */
export function indexFerretDbIds({ dataDir, log }: { dataDir: string; log: (line: string) => void }): { stop: () => Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const scan = async (): Promise<void> => {
    const files = (await readdir(dataDir).catch(() => [])).filter((name) => name.endsWith('.sqlite'));
    for (const file of files) {
      const path = join(dataDir, file);
      const { stdout } = await execFileAsync('sqlite3', ['-cmd', '.timeout 5000', path, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_ferretdb%' ESCAPE '\\' AND name || '${INDEX_SUFFIX}' NOT IN (SELECT name FROM sqlite_master WHERE type = 'index')`]);
      // Dots too: GridFS collections (blobs.files, blobs.chunks) are tables named like "blobs.files_<hash>".
      const tables = stdout.split('\n').filter((name) => /^[A-Za-z0-9_.]+$/.test(name));
      if (tables.length === 0) continue;
      const sql = tables.map((table) => `CREATE INDEX IF NOT EXISTS "${table}${INDEX_SUFFIX}" ON "${table}" (_ferretdb_sjson->'$._id');`).join('\n');
      await execFileAsync('sqlite3', ['-cmd', '.timeout 5000', path, sql]);
      log(`ferretdb: _id expression index added to ${tables.length} table(s) of ${file}`);
    }
  };
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(scan).catch((error: Error) => log(`ferretdb: _id index scan failed: ${error.message}`));
  }, SCAN_EVERY_MS);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
