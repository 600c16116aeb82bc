import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageParseError, parseMessage, type ParsedMessage } from '../src';

const CORPUS = join(__dirname, 'fixtures/corpus');
const PER_MESSAGE_TIMEOUT_MS = 15_000;
const POOL_SIZE = 4;

interface ManifestRow {
  path: string;
  source: string;
  sha256: string;
}

/** manifest.tsv paths start with `shared/`, the folder the corpus was collected in. */
const readManifest = async (): Promise<ManifestRow[]> => {
  const [, ...lines] = (await readFile(join(CORPUS, 'manifest.tsv'), 'utf8')).split('\n').filter((line) => line.trim());
  return lines.map((line) => {
    const [path, source, , , sha256] = line.split('\t');
    return { path: path!.replace(/^shared\//, ''), source: source!, sha256: sha256! };
  });
};

type Outcome = { kind: 'parsed'; parsed: ParsedMessage } | { kind: 'parse-error'; error: MessageParseError } | { kind: 'unexpected'; error: unknown };

const parseFile = async (path: string): Promise<Outcome> => {
  try {
    return { kind: 'parsed', parsed: await parseMessage(createReadStream(join(CORPUS, path)), { timeoutMs: PER_MESSAGE_TIMEOUT_MS }) };
  } catch (error) {
    return error instanceof MessageParseError ? { kind: 'parse-error', error } : { kind: 'unexpected', error };
  }
};

const mapPool = async <T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: size }, worker));
  return results;
};

const increment = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

describe('corpus: parseMessage on 1,658 real-world messages', () => {
  it('should keep every corpus file byte-exact as recorded in the manifest', async () => {
    const rows = await readManifest();
    expect(rows).toHaveLength(1658);
    const mismatched = await mapPool(rows, 8, async (row) =>
      createHash('sha256')
        .update(await readFile(join(CORPUS, row.path)))
        .digest('hex') === row.sha256
        ? []
        : [row.path],
    );
    expect(mismatched.flat()).toEqual([]);
  });

  it('should parse every file or fail it with a MessageParseError, never anything else and never hang', async () => {
    const rows = await readManifest();
    const started = Date.now();
    const outcomes = await mapPool(rows, POOL_SIZE, (row) => parseFile(row.path));
    const elapsedMs = Date.now() - started;

    const counts: Record<string, number> = {};
    const unexpected: string[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.kind === 'unexpected') {
        unexpected.push(`${rows[i]!.path}: ${String(outcome.error)}`);
        return;
      }
      if (outcome.kind === 'parse-error') {
        increment(counts, `parse error ${outcome.error.code}`);
        return;
      }
      const { parsed } = outcome;
      increment(counts, 'parsed');
      if (parsed.attachments.length > 0) increment(counts, 'with attachments');
      if (parsed.calendar) increment(counts, 'with calendar');
      if (parsed.calendarError) increment(counts, 'with broken calendar');
      if (parsed.spam.source) increment(counts, 'with spam verdict');
      if (parsed.spam.spam) increment(counts, 'judged spam');
      if (parsed.html !== undefined) increment(counts, 'html sanitised');
      if (parsed.htmlHasRemoteContent) increment(counts, 'html with remote content');
      if (!parsed.date) increment(counts, 'without a readable date');
      if (!parsed.messageIdHeader) increment(counts, 'without Message-ID');
    });
    const reasons = outcomes.flatMap((o, i) => (o.kind === 'parse-error' ? [`${rows[i]!.path}: ${o.error.reason}`] : []));
    console.info(
      `corpus outcomes after ${elapsedMs} ms:\n${Object.entries(counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}`,
    );
    if (reasons.length > 0) console.info(`parse errors:\n  ${reasons.join('\n  ')}`);

    expect(unexpected).toEqual([]);
    expect(outcomes).toHaveLength(rows.length);
    // regression guard: the corpus is mail; nearly all of it must parse
    expect(counts['parsed']).toBeGreaterThan(rows.length * 0.97);
  });
});
