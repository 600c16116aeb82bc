import { describe, expect, it } from 'vitest';
import type { Pop3Failure } from '../sync-status/sync-state.documents';
import { MAX_POP3_ATTEMPTS, MAX_POP3_FAILURES_KEPT, Pop3FailureMemory } from './pop3-failure-memory';

const at = new Date('2026-12-04T10:00:00Z');
const clock = () => at;
const failure = (uidl: string, attempts: number, extra: Partial<Pop3Failure> = {}): Pop3Failure => ({ uidl, attempts, error: 'dropped', at: new Date('2026-12-03T10:00:00Z'), ...extra });

/** One run: the listing, then what happened to each message. */
function run(state: ConstructorParameters<typeof Pop3FailureMemory>[0], listed: string[], act: (memory: Pop3FailureMemory) => void, stored: string[] = []) {
  const memory = new Pop3FailureMemory(state, clock);
  memory.listing({ keys: listed, stored });
  act(memory);
  return { memory, changes: memory.changes() };
}

describe(Pop3FailureMemory.name, () => {
  it('should change nothing in the state when nothing failed before or now', () => {
    expect(run({}, ['a', 'b'], (memory) => memory.fetched('a')).changes).toBeUndefined();
  });

  it('should count one attempt per run and give the message up after the last one', () => {
    let state: { pop3Failures?: Pop3Failure[] } = {};
    const errors: string[] = [];
    for (let n = 1; n <= MAX_POP3_ATTEMPTS; n += 1) {
      const { memory, changes } = run(state, ['poison', 'fine'], (memory) => errors.push(memory.failed({ key: 'poison', problem: 'the server dropped the connection' })));
      expect(memory.givenUp('poison')).toBe(n === MAX_POP3_ATTEMPTS);
      state = changes!.set;
    }
    expect(state.pop3Failures).toEqual([{ uidl: 'poison', attempts: MAX_POP3_ATTEMPTS, error: errors.at(-1), at, givenUp: true }]);
    expect(errors[0]).toBe(`the server dropped the connection (attempt 1 of ${MAX_POP3_ATTEMPTS})`);
    expect(errors.at(-1)).toMatch(/given up: it stays on the server/);
    const next = new Pop3FailureMemory(state, clock);
    expect(next.givenUp('poison')).toBe(true);
    expect(next.givenUp('fine')).toBe(false);
  });

  it('should forget a message once it is fetched, stored already, or gone from the server', () => {
    const state = { pop3Failures: [failure('fetched', 2), failure('stored', 1), failure('gone', 5, { givenUp: true }), failure('still', 3)] };
    const { changes } = run(state, ['fetched', 'stored', 'still'], (memory) => memory.fetched('fetched'), ['stored']);
    expect(changes).toEqual({ set: { pop3Failures: [failure('still', 3)] }, unset: ['pop3FetchAlone'] });
    expect(run({ pop3Failures: [failure('fetched', 1)] }, ['fetched'], (memory) => memory.fetched('fetched')).changes).toEqual({ set: {}, unset: ['pop3Failures', 'pop3FetchAlone'] });
  });

  it('should keep every entry when the run failed before the server listed the mailbox', () => {
    const memory = new Pop3FailureMemory({ pop3Failures: [failure('a', 1)], pop3FetchAlone: ['b'] }, clock);
    expect(memory.changes()).toBeUndefined();
  });

  it('should have messages dropped on together fetched alone next time, and forget that once they are fetched', () => {
    const first = run({}, ['a', 'b', 'c'], (memory) => memory.droppedTogether(['b', 'c']));
    expect(first.changes?.set).toEqual({ pop3FetchAlone: ['b', 'c'] });
    const second = new Pop3FailureMemory(first.changes!.set, clock);
    expect(['a', 'b', 'c'].map((key) => second.rank(key))).toEqual([0, 1, 1]);
    second.listing({ keys: ['a', 'b', 'c'], stored: [] });
    second.fetched('b');
    second.failed({ key: 'c', problem: 'dropped' });
    const changes = second.changes();
    expect(changes).toEqual({ set: { pop3Failures: [expect.objectContaining({ uidl: 'c', attempts: 1 })] }, unset: ['pop3FetchAlone'] });
    // Failed before ranks after suspected.
    expect(new Pop3FailureMemory({ ...changes!.set, pop3FetchAlone: ['b'] }, clock).rank('c')).toBe(2);
  });

  it('should stay bounded, keeping the given-up messages first and then the ones tried last', () => {
    const old = Array.from({ length: MAX_POP3_FAILURES_KEPT }, (_, n) => failure(`old${n}`, 1, { at: new Date(Date.UTC(2026, 0, 1, 0, n)) }));
    const givenUp = failure('given-up', MAX_POP3_ATTEMPTS, { givenUp: true, at: new Date(Date.UTC(2025, 0, 1)) });
    const listed = [...old.map(({ uidl }) => uidl), 'given-up', 'new'];
    const { changes } = run({ pop3Failures: [...old, givenUp] }, listed, (memory) => memory.failed({ key: 'new', problem: 'refused' }));
    const kept = changes!.set.pop3Failures!;
    expect(kept).toHaveLength(MAX_POP3_FAILURES_KEPT);
    expect(kept[0]).toEqual(givenUp);
    expect(kept[1]).toMatchObject({ uidl: 'new', attempts: 1 });
    expect(kept.map(({ uidl }) => uidl)).not.toContain('old0');
  });

  it('should cut a long error text', () => {
    const { changes } = run({}, ['a'], (memory) => memory.failed({ key: 'a', problem: 'x'.repeat(10_000) }));
    expect(changes!.set.pop3Failures![0]!.error.length).toBeLessThan(400);
  });
});
