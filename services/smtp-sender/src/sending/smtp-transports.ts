import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Transform, type Readable } from 'node:stream';
import { createTransport, type Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { smtpTransportOptions, type MailServerSettings } from '@mailbus/mail-clients';

/**
 * The observed stream hands the message on in slices of this size: a composed message is one Buffer,
 * and read as one chunk it would end at once, with all of it still queued before the socket. In slices,
 * the socket's backpressure holds the last one back until the rest is written out.
 */
const SLICE_BYTES = 16 * 1024;

/** The mail option that carries a send's MessageHandOver to the transport's stream plugin. */
const HAND_OVER_OPTION = 'mailbusHandOver';

type HandOverOptions = Mail.Options & { [HAND_OVER_OPTION]?: MessageHandOver };

/**
 * Tells whether the SMTP connection took the whole message, so that a connection that breaks after
 * that (after the final dot, before the server's reply) is known to have an unknown outcome: the
 * server may have queued the mail, and sending it again could deliver a second copy.
 *
 * The signal is the end of the message stream the connection reads: nodemailer pipes it into the
 * DATA stream (which appends the final dot and writes to the socket) only after the server's 354, so
 * before that it stays unread and buffered, and it ends only once all of it went into the DATA stream.
 * A stage any earlier (the `raw` source) ends too soon: the message pipeline buffers whole small
 * messages before DATA. What is left after the end are a few buffers' worth (SLICE_BYTES) before the
 * socket; a drop in that instant is counted as written too, the side that does not risk a second copy.
 */
export class MessageHandOver {
  private written = false;

  /** Whether the connection read the whole message of its latest try (the pool may requeue an unread one). */
  get messageWritten(): boolean {
    return this.written;
  }

  /** The send's options, carrying this hand-over to the transport's plugin. */
  attachTo(options: Mail.Options): Mail.Options {
    return { ...options, [HAND_OVER_OPTION]: this } as HandOverOptions;
  }

  /** The message stream the connection reads: the input, passed through, its end observed. */
  observe(input: Readable): Readable {
    this.written = false;
    const observed = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        for (let start = 0; start < chunk.length; start += SLICE_BYTES) this.push(chunk.subarray(start, start + SLICE_BYTES));
        done();
      },
    });
    observed.once('end', () => (this.written = true));
    input.once('error', (error) => observed.destroy(error));
    return input.pipe(observed);
  }
}

/** Runs last on each message (after nodemailer's own transforms; DKIM is not used): the stream the connection reads is the observed one. */
const observeHandOver: Mail.PluginFunction<SMTPTransport.SentMessageInfo> = (mail, done) => {
  const handOver = (mail.data as HandOverOptions)[HAND_OVER_OPTION];
  if (handOver) mail.message.processFunc((input) => handOver.observe(input));
  done();
};

/**
 * One pooled nodemailer SMTP transport per account and settings revision (issue: "a pool per
 * account"): connections are reused across sends, and changed settings get a fresh pool.
 */
@Injectable()
export class SmtpTransports implements OnApplicationShutdown {
  private readonly pools = new Map<string, { revision: number; transport: Transporter<SMTPTransport.SentMessageInfo> }>();

  for({ accountId, revision, server, timeoutMs }: { accountId: string; revision: number; server: MailServerSettings; timeoutMs: number }): Transporter<SMTPTransport.SentMessageInfo> {
    const current = this.pools.get(accountId);
    if (current?.revision === revision) return current.transport;
    current?.transport.close();
    const transport = createTransport({ ...smtpTransportOptions(server, { timeoutMs }), pool: true, maxConnections: 2, maxMessages: 100 });
    transport.use('stream', observeHandOver);
    this.pools.set(accountId, { revision, transport });
    return transport;
  }

  onApplicationShutdown(): void {
    for (const { transport } of this.pools.values()) transport.close();
    this.pools.clear();
  }
}
