import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_STREAM, durableConsumerName } from '@mailbus/contracts';
import { expectEventually } from '@mailbus/testing';
import { EventPublisher, JetStreamHealthIndicator } from '../src';
import { eventsControllerFor } from './fixtures/test-app';
import { TestApps } from './fixtures/test-apps';
import { testEvent } from './fixtures/test-events';
import { startTestNats, type TestNats } from './fixtures/test-nats';

describe(JetStreamHealthIndicator.name, () => {
  let nats: TestNats;
  const apps = new TestApps(() => nats.url);

  beforeAll(async () => {
    nats = await startTestNats();
  });

  afterEach(() => apps.closeAll());

  afterAll(async () => {
    await nats?.stop();
  });

  it('should report ok when JetStream answers', async () => {
    const sut = (await apps.start({ service: 'router' })).get(JetStreamHealthIndicator);

    expect(await sut.check()).toEqual({ ok: true });
  });

  it('should report the outage while the server is down and recover, and the consumers resume, when it comes back', async () => {
    const def = testEvent('across_restart');
    const handled: string[] = [];
    const app = await apps.start({ service: 'router', controllers: [eventsControllerFor({ def, handle: async (event) => void handled.push(event.value) })] });
    const sut = app.get(JetStreamHealthIndicator);
    const publisher = app.get(EventPublisher);
    await publisher.publish(def, { value: 'before' }, { msgId: 'restart-1' });
    await expectEventually(() => expect(handled).toEqual(['before']));
    // The ack goes out after the handler returns; a server stopped before it arrives redelivers 'before' (at least once).
    await expectEventually(async () => expect((await nats.jsm.consumers.info(EVENTS_STREAM.name, durableConsumerName({ service: 'router', event: def.name }))).num_ack_pending).toBe(0));

    await nats.server.process.stop();
    const down = await sut.check({ timeoutMs: 300 });
    expect(down.ok).toBe(false);
    expect(down.details).toBeTruthy();
    await nats.server.process.start();

    await expectEventually(async () => expect(await sut.check()).toEqual({ ok: true }), { timeoutMs: 15_000 });
    await publisher.publish(def, { value: 'after' }, { msgId: 'restart-2' });
    // At least once: a server that had not yet written the ack to disk when it stopped hands 'before' out again.
    await expectEventually(() => expect([...new Set(handled)]).toEqual(['before', 'after']), { timeoutMs: 15_000 });
  });

  it('should report not ok when the application has closed its connection', async () => {
    const app = await apps.start({ service: 'router' });
    const sut = app.get(JetStreamHealthIndicator);

    await apps.close(app);

    expect(await sut.check()).toEqual({ ok: false, details: 'NATS connection closed' });
  });
});
