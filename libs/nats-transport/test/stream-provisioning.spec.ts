import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nanos } from '@nats-io/nats-core';
import { DEAD_LETTER_STREAM, EVENTS_STREAM, durableConsumerName } from '@mailbus/contracts';
import { EventPublisher, JetStreamModule } from '../src';
import { eventsControllerFor } from './fixtures/test-app';
import { TestApps } from './fixtures/test-apps';
import { testEvent } from './fixtures/test-events';
import { startTestNats, type TestNats } from './fixtures/test-nats';

describe(JetStreamModule.name, () => {
  let nats: TestNats;
  const apps = new TestApps(() => nats.url);
  const def = testEvent('provisioned');
  const durable = durableConsumerName({ service: 'router', event: def.name });
  const controller = eventsControllerFor({ def, handle: async () => undefined });

  beforeAll(async () => {
    nats = await startTestNats();
  });

  afterEach(() => apps.closeAll());

  afterAll(async () => {
    await nats?.stop();
  });

  it('should create the streams and the consumer once when two instances start at the same time', async () => {
    await Promise.all([apps.start({ service: 'router', controllers: [controller] }), apps.start({ service: 'router', controllers: [controller] })]);

    const events = await nats.jsm.streams.info(EVENTS_STREAM.name);
    expect(events.config).toMatchObject({ subjects: ['mailbus.v1.>'], storage: 'file', retention: 'limits', discard: 'old', duplicate_window: nanos(10 * 60_000), num_replicas: 1 });
    const deadLetters = await nats.jsm.streams.info(DEAD_LETTER_STREAM.name);
    expect(deadLetters.config).toMatchObject({ subjects: ['mailbus.dlq.>'], storage: 'file', retention: 'limits', duplicate_window: nanos(10 * 60_000), num_replicas: 1 });
    const consumer = await nats.jsm.consumers.info(EVENTS_STREAM.name, durable);
    expect(consumer.config).toMatchObject({
      durable_name: 'router__test_provisioned',
      filter_subject: 'mailbus.v1.test.provisioned',
      ack_policy: 'explicit',
      deliver_policy: 'all',
      max_deliver: -1,
      ack_wait: nanos(30_000),
    });
    const names: string[] = [];
    for await (const info of nats.jsm.consumers.list(EVENTS_STREAM.name)) names.push(info.name);
    expect(names).toEqual([durable]);
  });

  it('should restore its own settings and keep the stored events and the operator limits when an existing stream and consumer drifted', async () => {
    const first = await apps.start({ service: 'router', controllers: [controller] });
    await first.get(EventPublisher).publish(def, { value: 'kept' }, { msgId: 'provisioned-1' });
    await apps.close(first);
    await nats.jsm.streams.update(EVENTS_STREAM.name, { duplicate_window: nanos(60_000), max_age: nanos(86_400_000) });
    await nats.jsm.consumers.update(EVENTS_STREAM.name, durable, { ack_wait: nanos(5_000) });
    const messagesBefore = (await nats.jsm.streams.info(EVENTS_STREAM.name)).state.messages;

    await apps.start({ service: 'router', controllers: [controller], options: { duplicateWindowMs: 5 * 60_000 } });

    const events = await nats.jsm.streams.info(EVENTS_STREAM.name);
    expect(events.config).toMatchObject({ duplicate_window: nanos(5 * 60_000), max_age: nanos(86_400_000) });
    expect(events.state.messages).toBe(messagesBefore);
    expect((await nats.jsm.consumers.info(EVENTS_STREAM.name, durable)).config.ack_wait).toBe(nanos(30_000));
  });
});
