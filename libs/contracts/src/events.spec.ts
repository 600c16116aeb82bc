import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DescFile, DescMessage } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import * as contracts from './index';
import { ALL_EVENTS, DEAD_LETTER_STREAM, EVENTS_STREAM, Events, durableConsumerName, findEventBySubject, subjectMatchesFilter } from './index';

const protoDir = resolve(__dirname, '..', '..', '..', 'proto', 'mailbus', 'v1');

// SPEC §5, verbatim.
const SPEC_EVENTS = [
  'account.changed',
  'message.fetched',
  'message.delivered',
  'send.requested',
  'message.sent',
  'send.failed',
  'spam.marked',
  'spam.moved',
  'message.deleted',
  'account.sync_failed',
];

const isFile = (value: unknown): value is DescFile => typeof value === 'object' && value !== null && (value as DescFile).kind === 'file';
const files = Object.values(contracts).filter(isFile);
const topLevelMessages = files.flatMap((file) => file.messages);
const fieldTypes = new Set(topLevelMessages.flatMap((message) => message.fields.flatMap((field) => (field.message ? [field.message.typeName] : []))));
const eventTypes = new Set(ALL_EVENTS.map((event) => event.schema.typeName));

describe('Events', () => {
  it('should hold exactly the events of SPEC §5', () => {
    expect(ALL_EVENTS.map((event) => event.name).sort()).toEqual([...SPEC_EVENTS].sort());
  });

  it('should publish every event on a unique subject of the events stream and never on the dead-letter stream', () => {
    const subjects = ALL_EVENTS.map((event) => event.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    for (const subject of subjects) {
      expect(EVENTS_STREAM.subjects.some((filter) => subjectMatchesFilter({ subject, filter })), subject).toBe(true);
      expect(DEAD_LETTER_STREAM.subjects.some((filter) => subjectMatchesFilter({ subject, filter })), subject).toBe(false);
    }
  });

  it('should derive the subject from the name when an event is defined', () => {
    expect(Events.messageFetched.subject).toBe('mailbus.v1.message.fetched');
    expect(Events.accountSyncFailed.subject).toBe('mailbus.v1.account.sync_failed');
  });

  it('should give every event its own schema and a valid durable consumer name', () => {
    expect(eventTypes.size).toBe(ALL_EVENTS.length);
    const durables = ALL_EVENTS.map((event) => durableConsumerName({ service: 'message-router', event: event.name }));
    for (const durable of durables) expect(durable).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(new Set(durables).size).toBe(durables.length);
  });

  it('should find an event by its subject and nothing for a foreign subject', () => {
    expect(findEventBySubject('mailbus.v1.spam.moved')).toBe(Events.spamMoved);
    expect(findEventBySubject('mailbus.v1.spam')).toBeUndefined();
  });
});

describe('proto/mailbus/v1', () => {
  it('should export the generated descriptor of every .proto file from the contracts index', () => {
    const protoFiles = readdirSync(protoDir).filter((name) => name.endsWith('.proto'));
    expect(files.map((file) => file.name).sort()).toEqual(protoFiles.map((name) => `mailbus/v1/${name.replace(/\.proto$/, '')}`).sort());
  });

  it('should register every top-level message that is not a field type of another message as an event', () => {
    const unregistered = topLevelMessages.filter((message: DescMessage) => !fieldTypes.has(message.typeName) && !eventTypes.has(message.typeName));
    expect(unregistered.map((message) => message.typeName)).toEqual([]);
  });

  it('should keep every event schema in package mailbus.v1 and never embed an event in another message', () => {
    for (const event of ALL_EVENTS) {
      expect(event.schema.file.proto.package).toBe('mailbus.v1');
      expect(fieldTypes.has(event.schema.typeName), event.schema.typeName).toBe(false);
    }
  });
});
