import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import { newId } from '@mailbus/mongo-dal';
import { HostConnectionSlots, MAX_SLOT_LEASE_MS } from '@mailbus/nats-transport';
import type { MailConnectionSettings } from '../config/account-registry.config';

export const MAIL_CONNECTION_SETTINGS = Symbol('MAIL_CONNECTION_SETTINGS');

/** Covers the connection's own time bound, with room for a slow close. */
const SLOT_LEASE_MARGIN_MS = 30_000;

/**
 * The IMAP and POP3 connections of connection tests and folder lists count against the same per-host
 * cap as the fetcher's runs and IDLE, spam-feedback's write-backs and the Sent-folder copies
 * (providers limit connections per client IP, whoever opens them). A caller waits for a slot as long
 * as it may take to connect, since slots turn over between runs; none freed by then is its answer,
 * never a connection over the cap.
 */
@Injectable()
export class MailServerSlots {
  private readonly holder = `account-registry:${hostname()}:${newId()}`;

  constructor(
    private readonly slots: HostConnectionSlots,
    @Inject(MAIL_CONNECTION_SETTINGS) private readonly settings: MailConnectionSettings,
  ) {}

  /** `work` while holding one of the host's slots, or `busy` when none came free in time. */
  async inSlot<T>(host: string, work: () => Promise<T>): Promise<{ value: T } | { busy: string }> {
    const { timeoutMs, hostConnectionCap: cap } = this.settings;
    const slot = await this.slots.acquireWithin({ host, cap, holder: this.holder, leaseMs: Math.min(timeoutMs + SLOT_LEASE_MARGIN_MS, MAX_SLOT_LEASE_MS), waitMs: timeoutMs });
    if (!slot) return { busy: `all ${cap} connection slots of ${host} stayed in use by mailbus for ${timeoutMs} ms (HOST_CONNECTION_CAP); try again shortly` };
    try {
      return { value: await work() };
    } finally {
      await slot.release().catch(() => undefined);
    }
  }
}
