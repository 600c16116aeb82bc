import { describe, expect, it } from 'vitest';
import { replyPage } from './reply-page.util';

const docs = (sizes: number[]) => sizes.map((size, n) => ({ _id: `id${n}`, text: 'x'.repeat(size) }));
const view = ({ _id, text }: { _id: string; text: string }) => ({ id: _id, text });

describe(replyPage.name, () => {
  it('should give every document and next after the last of a full page when they fit', () => {
    expect(replyPage({ documents: docs([10, 10, 10]), limit: 3, view, budgetBytes: 1_000 })).toEqual({ items: docs([10, 10, 10]).map(view), next: 'id2' });
    expect(replyPage({ documents: docs([10, 10]), limit: 3, view, budgetBytes: 1_000 })).toEqual({ items: docs([10, 10]).map(view) });
  });

  it('should stop before the item that passes the budget and go on after the last one given', () => {
    const page = replyPage({ documents: docs([300, 300, 300, 300]), limit: 10, view, budgetBytes: 700 });
    expect(page.items.map(({ id }) => id)).toEqual(['id0', 'id1']);
    expect(page.next).toBe('id1');
  });

  it('should give one item that alone passes the budget, so that paging always moves on', () => {
    expect(replyPage({ documents: docs([2_000, 10]), limit: 10, view, budgetBytes: 700 })).toMatchObject({ items: [{ id: 'id0' }], next: 'id0' });
  });

  it('should give an empty page without next', () => {
    expect(replyPage({ documents: [], limit: 10, view })).toEqual({ items: [] });
  });
});
