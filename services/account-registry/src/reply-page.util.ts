import type { Page } from '@mailbus/contracts';

/** Room for a page in one NATS reply: max_payload is 1 MiB by default, and the RPC framing comes on top. */
export const REPLY_PAGE_BUDGET_BYTES = 768 * 1024;

/**
 * A page that fits one NATS reply: up to `limit` items, fewer when their JSON would pass the budget
 * (accounts with 100,000-character HTML signatures, groups of thousands of members); `next` then goes on
 * after the last item given, as it does after a full page. At least one item, however large.
 */
export function replyPage<Doc extends { _id: string }, View>({ documents, limit, view, budgetBytes = REPLY_PAGE_BUDGET_BYTES }: { documents: Doc[]; limit: number; view: (document: Doc) => View; budgetBytes?: number }): Page<View> {
  const items: View[] = [];
  let bytes = 0;
  for (const document of documents) {
    const item = view(document);
    bytes += Buffer.byteLength(JSON.stringify(item));
    if (items.length > 0 && bytes > budgetBytes) return { items, next: documents[items.length - 1]!._id };
    items.push(item);
  }
  return { items, ...(documents.length === limit && documents.length > 0 ? { next: documents.at(-1)!._id } : {}) };
}
