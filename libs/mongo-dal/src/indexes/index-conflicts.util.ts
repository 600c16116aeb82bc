import type { Document } from 'mongodb';
import type { IndexSpec } from './index-spec';

/** An index as `listIndexes` describes it. */
export interface ExistingIndex {
  name: string;
  key: Document;
  unique?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
}

const sameKey = (a: Document, b: Document): boolean => JSON.stringify(Object.entries(a)) === JSON.stringify(Object.entries(b));

/** The definition in the shape both sides share, for comparison and for messages. */
export function describeIndex(index: { key: Document; unique?: boolean; partialFilterExpression?: Document; expireAfterSeconds?: number }): string {
  const parts = [`key ${JSON.stringify(index.key)}`];
  if (index.unique) parts.push('unique');
  if (index.partialFilterExpression) parts.push(`partialFilterExpression ${JSON.stringify(index.partialFilterExpression)}`);
  if (index.expireAfterSeconds !== undefined) parts.push(`expireAfterSeconds ${index.expireAfterSeconds}`);
  return `{ ${parts.join(', ')} }`;
}

const definitionOf = (spec: IndexSpec): string => describeIndex({ key: spec.key, ...spec.options });

/**
 * Declared indexes that cannot be created because the collection already has a different index
 * under the same name, or the same key under another name. The server does not always say so
 * itself: FerretDB accepts a same-named index with other options silently and keeps the old one.
 */
export function findIndexConflicts({ declared, existing }: { declared: readonly IndexSpec[]; existing: readonly ExistingIndex[] }): string[] {
  const conflicts: string[] = [];
  for (const spec of declared) {
    const sameName = existing.find((index) => index.name === spec.options.name);
    if (sameName) {
      const have = describeIndex(sameName);
      const want = definitionOf(spec);
      if (have !== want) conflicts.push(`index "${spec.options.name}" on ${spec.collection} exists as ${have} but is declared as ${want} (drop the old index or give the new one another name)`);
      continue;
    }
    const sameKeyOtherName = existing.find((index) => sameKey(index.key, spec.key));
    if (sameKeyOtherName) {
      conflicts.push(
        `index "${spec.options.name}" on ${spec.collection} has the key of the existing index "${sameKeyOtherName.name}" ${describeIndex(sameKeyOtherName)} (rename the declaration or drop the old index)`,
      );
    }
  }
  return conflicts;
}

/** Two declarations of one index name on one collection must agree, or provisioning would depend on their order. */
export function sameIndexDefinition(a: IndexSpec, b: IndexSpec): boolean {
  return definitionOf(a) === definitionOf(b);
}
