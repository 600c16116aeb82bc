/**
 * A deterministic corpus of realistic RFC 5322 messages for the fetch benchmark: sizes log-uniform
 * between `minBytes` and `maxBytes` (so the median is near 20 KB and the mean near 45 KB for the
 * defaults, like ordinary business mail), about a fifth with a base64 attachment, a third of the rest
 * multipart/alternative text+html, the others text/plain. The same seed gives the same bytes, so IMAP
 * and POP3 mailboxes (and runs on different days) hold the same mail.
 */

export interface BenchCorpusOptions {
  count: number;
  seed?: number;
  minBytes?: number;
  maxBytes?: number;
  /** Share of messages with an attachment. */
  attachmentShare?: number;
  /** Goes into To: (the mailbox owner). */
  recipient: string;
}

export interface BenchCorpus {
  messages: Buffer[];
  totalBytes: number;
  withAttachment: number;
}

const WORDS = 'the of and to in is that for it as was with be by on not this are or from at which but have an they you were their one all we can has there been if more when will would who so no meeting report invoice shipment quarterly budget review draft attached please thanks regards project deadline update server deploy release customer order payment account schedule agenda proposal contract'.split(' ');
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'oscar', 'peggy', 'trent', 'victor'];
const DOMAINS = ['example.com', 'example.org', 'corp.example', 'mail.example.net'];
const ATTACHMENTS: ReadonlyArray<[string, string]> = [
  ['report.pdf', 'application/pdf'],
  ['photo.jpg', 'image/jpeg'],
  ['data.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['archive.zip', 'application/zip'],
];

/** xorshift32: fast, deterministic, good enough to vary sizes and words. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

export function buildBenchCorpus({ count, seed = 42, minBytes = 2048, maxBytes = 204_800, attachmentShare = 0.2, recipient }: BenchCorpusOptions): BenchCorpus {
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const address = (): string => {
    const name = pick(NAMES);
    return `${name[0]!.toUpperCase()}${name.slice(1)} <${name}@${pick(DOMAINS)}>`;
  };
  // Wrapped prose of about `bytes` bytes, CRLF line ends.
  const prose = (bytes: number): string => {
    const lines: string[] = [];
    let line = '';
    let length = 0;
    while (length < bytes) {
      const word = pick(WORDS);
      if (line.length + word.length + 1 > 72) {
        lines.push(line);
        length += line.length + 2;
        line = '';
      }
      line += (line ? ' ' : '') + word;
    }
    if (line) lines.push(line);
    return lines.join('\r\n');
  };
  const base64Lines = (bytes: number): string => {
    const raw = Buffer.alloc(Math.max(4, Math.floor((bytes * 3) / 4) & ~3));
    for (let offset = 0; offset < raw.length; offset += 4) raw.writeUInt32LE(Math.floor(random() * 4294967296), offset);
    return raw.toString('base64').replace(/.{76}/g, '$&\r\n');
  };

  const messages: Buffer[] = [];
  let withAttachment = 0;
  for (let index = 0; index < count; index += 1) {
    const target = Math.round(minBytes * Math.pow(maxBytes / minBytes, random()));
    const date = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 365 * 86_400_000)).toUTCString().replace('GMT', '+0000');
    const from = address();
    const hasAttachment = random() < attachmentShare;
    const html = !hasAttachment && random() < 0.35;
    const boundary = `=_bench_${index}_${Math.floor(random() * 1e9)}`;
    const headers = [
      `Received: from mx${index % 5}.example.net (mx${index % 5}.example.net [192.0.2.${(index % 250) + 1}]) by mx.example.com; ${date}`,
      `From: ${from}`,
      `To: ${recipient}${random() < 0.4 ? `, ${address()}` : ''}`,
      `Subject: ${pick(['Re: ', 'Fwd: ', '', ''])}${prose(40).split('\r\n')[0]} #${index}`,
      `Date: ${date}`,
      `Message-ID: <bench.${seed}.${index}@${from.slice(from.indexOf('@') + 1, -1)}>`,
      'MIME-Version: 1.0',
    ].join('\r\n');
    const room = Math.max(200, target - headers.length - 300);
    let body: string;
    if (hasAttachment) {
      withAttachment += 1;
      const [filename, type] = pick(ATTACHMENTS);
      const text = prose(Math.min(3000, Math.max(200, room / 10)));
      body = [
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        text,
        `--${boundary}`,
        `Content-Type: ${type}; name="${filename}"`,
        'Content-Transfer-Encoding: base64',
        `Content-Disposition: attachment; filename="${filename}"`,
        '',
        base64Lines(Math.max(100, room - text.length - 200)),
        `--${boundary}--`,
        '',
      ].join('\r\n');
    } else if (html) {
      const text = prose(room / 2.1);
      body = [`Content-Type: multipart/alternative; boundary="${boundary}"`, '', `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', text, `--${boundary}`, 'Content-Type: text/html; charset=utf-8', '', `<html><body><p>${text}</p></body></html>`, `--${boundary}--`, ''].join('\r\n');
    } else {
      body = ['Content-Type: text/plain; charset=utf-8', '', prose(room), ''].join('\r\n');
    }
    messages.push(Buffer.from(`${headers}\r\n${body}`));
  }
  return { messages, totalBytes: messages.reduce((sum, message) => sum + message.length, 0), withAttachment };
}
