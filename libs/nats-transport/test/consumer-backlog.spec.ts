import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { durableConsumerName } from '@mailbus/contracts';
import { expectEventually } from '@mailbus/testing';
import { ConsumerBacklogProvider, EventPublisher } from '../src';
import { deferred } from './fixtures/deferred';
import { eventsControllerFor } from './fixtures/test-app';
import { TestApps } from './fixtures/test-apps';
import { testEvent } from './fixtures/test-events';
import { startTestNats, type TestNats } from './fixtures/test-nats';

const SERVICE = 'backlog';

describe(ConsumerBacklogProvider.name, () => {
  let nats: TestNats;
  let publisher: EventPublisher;
  const apps = new TestApps(() => nats.url);
  const publisherApps = new TestApps(() => nats.url);

  beforeAll(async () => {
    nats = await startTestNats();
    publisher = (await publisherApps.start({ service: 'fetcher' })).get(EventPublisher);
  });

  afterEach(() => apps.closeAll());

  afterAll(async () => {
    await publisherApps.closeAll();
    await nats?.stop();
  });

  it('should report undelivered and unacknowledged events per durable consumer of the service, and none once handled', async () => {
    const def = testEvent('backlog');
    const release = deferred();
    const controller = eventsControllerFor({ def, handle: () => release.promise });
    const app = await apps.start({ service: SERVICE, controllers: [controller] });
    const sut = app.get(ConsumerBacklogProvider);

    await Promise.all(Array.from({ length: 20 }, (_, index) => publisher.publish(def, { value: `event-${index}` }, { msgId: `backlog-${index}` })));

    const consumer = durableConsumerName({ service: SERVICE, event: def.name });
    await expectEventually(async () => {
      const [backlog] = await sut.read();
      expect(backlog?.consumer).toBe(consumer);
      expect(backlog!.ackPending).toBeGreaterThanOrEqual(1);
      expect(backlog!.pending + backlog!.ackPending).toBe(20);
    });

    release.resolve();
    await expectEventually(async () => expect(await sut.read()).toEqual([{ consumer, pending: 0, ackPending: 0 }]));
  });

  it('should report nothing for a service without handlers', async () => {
    const app = await apps.start({ service: 'quiet' });
    expect(await app.get(ConsumerBacklogProvider).read()).toEqual([]);
  });
});
