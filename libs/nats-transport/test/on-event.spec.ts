import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { StringValueSchema } from '@bufbuild/protobuf/wkt';
import type { StoredMsg } from '@nats-io/jetstream';
import { DEAD_LETTER_STREAM, EVENTS_STREAM, deadLetterSubject, durableConsumerName } from '@mailbus/contracts';
import { expectEventually } from '@mailbus/testing';
import { DeadLetterHeaders, EventPublisher, OnEvent, PermanentEventError, RetryLaterError } from '../src';
import { deferred } from './fixtures/deferred';
import { eventsControllerFor, RecordingObserver } from './fixtures/test-app';
import { TestApps } from './fixtures/test-apps';
import { testEvent, type TestEvent } from './fixtures/test-events';
import { startTestNats, type TestNats } from './fixtures/test-nats';

const SERVICE = 'router';

describe(OnEvent.name, () => {
  let nats: TestNats;
  let publisher: EventPublisher;
  const apps = new TestApps(() => nats.url);
  const publisherApps = new TestApps(() => nats.url);

  const durableOf = (def: TestEvent): string => durableConsumerName({ service: SERVICE, event: def.name });
  const deadLetterOf = (def: TestEvent): Promise<StoredMsg | null> =>
    nats.jsm.streams.getMessage(DEAD_LETTER_STREAM.name, { last_by_subj: deadLetterSubject({ consumer: durableOf(def), subject: def.subject }) });
  const expectSettled = (def: TestEvent, seq: number): Promise<void> =>
    expectEventually(async () => {
      const info = await nats.jsm.consumers.info(EVENTS_STREAM.name, durableOf(def));
      expect({ ackPending: info.num_ack_pending, pending: info.num_pending, ackFloor: info.ack_floor.stream_seq }).toEqual({ ackPending: 0, pending: 0, ackFloor: seq });
    });

  beforeAll(async () => {
    nats = await startTestNats();
    publisher = (await publisherApps.start({ service: 'fetcher' })).get(EventPublisher);
  });

  afterEach(() => apps.closeAll());

  afterAll(async () => {
    await publisherApps.closeAll();
    await nats?.stop();
  });

  it('should hand all 1,000 events to a new instance when the consumer was stopped while they were published', async () => {
    const def = testEvent('caught_up');
    const handled = new Set<string>();
    const controller = eventsControllerFor({ def, handle: async (event) => void handled.add(event.value) });
    const ids = Array.from({ length: 1_000 }, (_, index) => `event-${index}`);
    const publish = (batch: string[]): Promise<unknown> => Promise.all(batch.map((id) => publisher.publish(def, { value: id }, { msgId: id })));

    const first = await apps.start({ service: SERVICE, controllers: [controller] });
    await publish(ids.slice(0, 100));
    await expectEventually(() => expect(handled.size).toBeGreaterThan(0));
    await apps.close(first);
    const handledByFirst = handled.size;
    await publish(ids.slice(100));
    expect(handled.size).toBe(handledByFirst);

    await apps.start({ service: SERVICE, controllers: [controller] });

    await expectEventually(() => expect(handled.size).toBe(1_000), { timeoutMs: 30_000 });
    expect([...handled].sort()).toEqual([...ids].sort());
  });

  it('should redeliver a failing event and dead-letter it with the error after maxDeliver attempts', async () => {
    const def = testEvent('always_fails');
    const deliveries: number[] = [];
    const observer = new RecordingObserver();
    const controller = eventsControllerFor({
      def,
      options: { maxDeliver: 3, backoffMs: [10, 20] },
      handle: async (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        throw new Error(`mailbox unavailable\non attempt ${ctx.deliveryCount}`);
      },
    });
    await apps.start({ service: SERVICE, controllers: [controller], observer });

    const { seq } = await publisher.publish(def, { value: 'doomed' }, { msgId: 'always-fails-1' });

    const deadLetter = await expectEventually(async () => {
      const stored = await deadLetterOf(def);
      expect(stored).not.toBeNull();
      return stored!;
    });
    expect(deliveries).toEqual([1, 2, 3]);
    expect(fromBinary(StringValueSchema, deadLetter.data).value).toBe('doomed');
    expect(Object.fromEntries(Object.values(DeadLetterHeaders).map((name) => [name, deadLetter.header.get(name)]))).toEqual({
      'Mailbus-Error': 'mailbox unavailable on attempt 3',
      'Mailbus-Error-Class': 'Error',
      'Mailbus-Original-Subject': 'mailbus.v1.test.always_fails',
      'Mailbus-Consumer': 'router__test_always_fails',
      'Mailbus-Delivery-Count': '3',
      'Mailbus-Original-Msg-Id': 'always-fails-1',
    });
    expect(deadLetter.header.get('Nats-Msg-Id')).toBe(`router__test_always_fails:${seq}`);
    await expectSettled(def, seq);
    expect(observer.handled.map(({ outcome }) => outcome)).toEqual(['retry', 'retry', 'dead_letter']);
  });

  it('should dead-letter at once when the handler throws PermanentEventError', async () => {
    const def = testEvent('permanent');
    let calls = 0;
    const controller = eventsControllerFor({
      def,
      handle: async () => {
        calls++;
        throw new PermanentEventError('account acc-1 does not exist');
      },
    });
    await apps.start({ service: SERVICE, controllers: [controller], options: { backoffMs: [10] } });

    const { seq } = await publisher.publish(def, { value: 'orphan' }, { msgId: 'permanent-1' });

    const deadLetter = await expectEventually(async () => (await deadLetterOf(def)) ?? expect.fail('not dead-lettered yet'));
    expect(deadLetter.header.get(DeadLetterHeaders.errorClass)).toBe('PermanentEventError');
    expect(deadLetter.header.get(DeadLetterHeaders.error)).toBe('account acc-1 does not exist');
    expect(deadLetter.header.get(DeadLetterHeaders.deliveryCount)).toBe('1');
    await expectSettled(def, seq);
    expect(calls).toBe(1);
  });

  it('should dead-letter without calling the handler when the payload cannot be decoded', async () => {
    const def = testEvent('poison');
    let calls = 0;
    await apps.start({ service: SERVICE, controllers: [eventsControllerFor({ def, handle: async () => void calls++ })] });

    // Field 1, length 5, but only one byte follows: not a StringValue.
    const { seq } = await nats.js.publish(def.subject, new Uint8Array([0x0a, 0x05, 0x61]), { msgID: 'poison-1' });

    const deadLetter = await expectEventually(async () => (await deadLetterOf(def)) ?? expect.fail('not dead-lettered yet'));
    expect(deadLetter.header.get(DeadLetterHeaders.errorClass)).toBe('UndecodableEventError');
    expect(deadLetter.header.get(DeadLetterHeaders.error)).toContain('undecodable payload on mailbus.v1.test.poison');
    expect([...deadLetter.data]).toEqual([0x0a, 0x05, 0x61]);
    await expectSettled(def, seq);
    expect(calls).toBe(0);
  });

  it('should ack and not dead-letter an event whose handler fails twice and then succeeds', async () => {
    const def = testEvent('flaky');
    const deliveries: number[] = [];
    const observer = new RecordingObserver();
    const controller = eventsControllerFor({
      def,
      handle: async (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        if (ctx.deliveryCount <= 2) throw new Error('temporarily unavailable');
      },
    });
    await apps.start({ service: SERVICE, controllers: [controller], observer, options: { maxDeliver: 3, backoffMs: [10, 20] } });

    const { seq } = await publisher.publish(def, { value: 'eventually' }, { msgId: 'flaky-1' });

    await expectSettled(def, seq);
    expect(deliveries).toEqual([1, 2, 3]);
    expect(observer.handled.map(({ outcome }) => outcome)).toEqual(['retry', 'retry', 'ack']);
    expect(await deadLetterOf(def)).toBeNull();
  });

  it('should redeliver after the requested delay and not dead-letter when the handler asks to retry later', async () => {
    const def = testEvent('later');
    const deliveries: number[] = [];
    const controller = eventsControllerFor({
      def,
      options: { maxDeliver: 1 },
      handle: async (_event, ctx) => {
        deliveries.push(ctx.deliveryCount);
        if (ctx.deliveryCount === 1) throw new RetryLaterError(20, 'lease held by another replica');
      },
    });
    await apps.start({ service: SERVICE, controllers: [controller] });

    const { seq } = await publisher.publish(def, { value: 'patient' }, { msgId: 'later-1' });

    await expectSettled(def, seq);
    expect(deliveries).toEqual([1, 2]);
    expect(await deadLetterOf(def)).toBeNull();
  });

  it('should pass the delivery details to the handler', async () => {
    const def = testEvent('context');
    const seen: unknown[] = [];
    await apps.start({
      service: SERVICE,
      controllers: [
        eventsControllerFor({
          def,
          handle: async (event, ctx) =>
            void seen.push({ value: event.value, subject: ctx.subject, msgId: ctx.msgId, deliveryCount: ctx.deliveryCount, streamSeq: ctx.streamSeq, headers: ctx.headers }),
        }),
      ],
    });

    const { seq } = await publisher.publish(def, { value: 'details' }, { msgId: 'context-1' });

    await expectEventually(() =>
      expect(seen).toEqual([{ value: 'details', subject: 'mailbus.v1.test.context', msgId: 'context-1', deliveryCount: 1, streamSeq: seq, headers: { 'Nats-Msg-Id': 'context-1' } }]),
    );
  });

  it('should handle several events at once when concurrency allows it', async () => {
    const def = testEvent('parallel');
    let running = 0;
    let peak = 0;
    const gate = deferred();
    const controller = eventsControllerFor({
      def,
      options: { concurrency: 3 },
      handle: async () => {
        peak = Math.max(peak, ++running);
        await gate.promise;
        running--;
      },
    });
    await apps.start({ service: SERVICE, controllers: [controller] });

    await Promise.all(['p1', 'p2', 'p3', 'p4'].map((id) => publisher.publish(def, { value: id }, { msgId: id })));

    await expectEventually(() => expect(running).toBe(3));
    gate.resolve();
    await expectEventually(() => expect(running).toBe(0));
    expect(peak).toBe(3);
  });

  it('should re-create its consumer and carry on when the consumer is deleted under it', async () => {
    const def = testEvent('consumer_deleted');
    const handled: string[] = [];
    await apps.start({ service: SERVICE, controllers: [eventsControllerFor({ def, handle: async (event) => void handled.push(event.value) })] });
    await publisher.publish(def, { value: 'before' }, { msgId: 'deleted-1' });
    await expectEventually(() => expect(handled).toEqual(['before']));

    await nats.jsm.consumers.delete(EVENTS_STREAM.name, durableOf(def));
    await publisher.publish(def, { value: 'after' }, { msgId: 'deleted-2' });

    await expectEventually(() => expect(handled).toContain('after'), { timeoutMs: 15_000 });
    expect((await nats.jsm.consumers.info(EVENTS_STREAM.name, durableOf(def))).config.filter_subject).toBe(def.subject);
  });

  it('should refuse to start when two handlers of one service consume the same event', async () => {
    const def = testEvent('twice');
    const handle = async (): Promise<void> => undefined;

    await expect(apps.start({ service: SERVICE, controllers: [eventsControllerFor({ def, handle }), eventsControllerFor({ def, handle })] })).rejects.toThrow('both handle test.twice');
  });
});
