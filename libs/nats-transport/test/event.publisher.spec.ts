import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { StringValueSchema } from '@bufbuild/protobuf/wkt';
import { EVENTS_STREAM } from '@mailbus/contracts';
import { EventPublisher } from '../src';
import { RecordingObserver } from './fixtures/test-app';
import { TestApps } from './fixtures/test-apps';
import { testEvent } from './fixtures/test-events';
import { startTestNats, type TestNats } from './fixtures/test-nats';

describe(EventPublisher.name, () => {
  let nats: TestNats;
  const apps = new TestApps(() => nats.url);

  beforeAll(async () => {
    nats = await startTestNats();
  });

  afterEach(() => apps.closeAll());

  afterAll(async () => {
    await nats?.stop();
  });

  it('should store the event as protobuf with its msgId when it is published', async () => {
    const def = testEvent('stored');
    const sut = (await apps.start({ service: 'fetcher' })).get(EventPublisher);

    const { seq, duplicate } = await sut.publish(def, { value: 'hello' }, { msgId: 'stored-1' });

    expect(duplicate).toBe(false);
    const stored = await nats.jsm.streams.getMessage(EVENTS_STREAM.name, { seq });
    expect(stored?.subject).toBe('mailbus.v1.test.stored');
    expect(stored?.header.get('Nats-Msg-Id')).toBe('stored-1');
    expect(fromBinary(StringValueSchema, stored!.data).value).toBe('hello');
  });

  it('should store one message and report the duplicate when the same msgId is published twice', async () => {
    const def = testEvent('deduplicated');
    const observer = new RecordingObserver();
    const sut = (await apps.start({ service: 'fetcher', observer })).get(EventPublisher);

    const first = await sut.publish(def, { value: 'once' }, { msgId: 'dedupe-1' });
    const second = await sut.publish(def, { value: 'once' }, { msgId: 'dedupe-1' });

    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ seq: first.seq, duplicate: true });
    const info = await nats.jsm.streams.info(EVENTS_STREAM.name, { subjects_filter: def.subject });
    expect(info.state.subjects).toEqual({ [def.subject]: 1 });
    expect(observer.published).toEqual([
      { event: 'test.deduplicated', duplicate: false },
      { event: 'test.deduplicated', duplicate: true },
    ]);
  });

  it('should refuse to publish when no msgId is given', async () => {
    const sut = (await apps.start({ service: 'fetcher' })).get(EventPublisher);

    await expect(sut.publish(testEvent('no_id'), { value: 'x' }, { msgId: '' })).rejects.toThrow('msgId is required');
  });
});
