import type { EnvelopeHeader } from '@mailbus/contracts';
import { parseHeaderAddresses } from './header-addresses.util';
import { receivedForAddress } from './received-for.util';
import { distinctAddresses } from './recipient-addresses.util';
import type { HeaderLine } from './routing.types';

export type EnvelopeHeaderName = Exclude<EnvelopeHeader, 'auto'>;

/** The order `auto` tries header kinds in (ENVELOPE_HEADERS without `auto`). */
export const AUTO_ENVELOPE_HEADERS: readonly EnvelopeHeaderName[] = ['Delivered-To', 'X-Original-To', 'Envelope-To', 'Received'];

const HEADER_KEYS: Record<EnvelopeHeaderName, string> = { 'Delivered-To': 'delivered-to', 'X-Original-To': 'x-original-to', 'Envelope-To': 'envelope-to', Received: 'received' };

export interface EnvelopeRecipients {
  header: EnvelopeHeaderName;
  /** Normalised, distinct, in header order. */
  addresses: string[];
}

/**
 * The envelope recipients of a message fetched from a multidrop mailbox (sync rule 21).
 *
 * Occurrences of the chosen header kind are counted from the top. The topmost is the newest: the
 * grabbing mailbox's own delivery adds it last, which is what `skip` (fetchmail's `envelope <count>`)
 * drops. For `Received`, only lines with a `for` clause are occurrences; the others carry no
 * recipient and are not counted. Of the occurrences left after skipping, the first one holding a
 * valid address is used, with every address it lists (Envelope-To may list several): deeper ones
 * were written by earlier hops (lists, forwarders) and would route to the wrong people.
 *
 * `auto` tries Delivered-To, X-Original-To, Envelope-To, Received in that order, each with the same
 * `skip`; the first that yields an address wins.
 *
 * @returns undefined when no valid envelope recipient is found (the caller falls back)
 * @example extractEnvelopeRecipients({ headers: [{ key: 'delivered-to', value: 'all@isp.example' }, { key: 'delivered-to', value: 'anna@example.com' }], envelopeHeader: 'Delivered-To', skip: 1 }) // { header: 'Delivered-To', addresses: ['anna@example.com'] }
 */
export function extractEnvelopeRecipients({ headers, envelopeHeader, skip }: { headers: HeaderLine[]; envelopeHeader: EnvelopeHeader; skip: number }): EnvelopeRecipients | undefined {
  const kinds = envelopeHeader === 'auto' ? AUTO_ENVELOPE_HEADERS : [envelopeHeader];
  for (const header of kinds) {
    const addresses = occurrences({ headers, header })
      .slice(Math.max(0, skip))
      .map((values) => distinctAddresses({ addresses: values }))
      .find((valid) => valid.length > 0);
    if (addresses) return { header, addresses };
  }
  return undefined;
}

/** The raw addresses of each occurrence of `header`, top first. */
function occurrences({ headers, header }: { headers: HeaderLine[]; header: EnvelopeHeaderName }): string[][] {
  const key = HEADER_KEYS[header];
  const found: string[][] = [];
  for (const line of headers) {
    if (line.key !== key) continue;
    if (header !== 'Received') found.push(parseHeaderAddresses(line.value));
    else {
      const address = receivedForAddress(line.value);
      if (address !== undefined) found.push([address]);
    }
  }
  return found;
}
