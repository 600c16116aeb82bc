import type { MessageView, MessageViewReply } from '@mailbus/contracts';

/** Room for one NATS reply: max_payload is 1 MiB by default, and the RPC framing comes on top. */
export const REPLY_BUDGET_BYTES = 768 * 1024;

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/**
 * The view as one NATS reply holds it: whole when it fits (nearly always); else without its bodies,
 * which the api then reads in slices (readMessageBody); else, for a message whose headers alone are
 * too large (only a hostile one: the record keeps at most 200 of 4,000 characters), with the headers
 * that fit as well, the raw source having them all.
 */
export function fitReply(view: MessageView, budgetBytes = REPLY_BUDGET_BYTES): MessageViewReply {
  if (jsonBytes(view) <= budgetBytes) return view;
  const withoutBodies: MessageViewReply = { ...view, text: '', ...(view.html !== undefined ? { html: '' } : {}), bodyLengths: { text: view.text.length, ...(view.html !== undefined ? { html: view.html.length } : {}) } };
  const rest = jsonBytes({ ...withoutBodies, headers: [] });
  if (rest + jsonBytes(view.headers) <= budgetBytes) return withoutBodies;
  const headers: MessageView['headers'] = [];
  let bytes = rest;
  for (const header of view.headers) {
    bytes += jsonBytes(header) + 1;
    if (bytes > budgetBytes) break;
    headers.push(header);
  }
  return { ...withoutBodies, headers };
}
