/**
 * The STOREs that bring a message's keywords to what is wanted: only keywords it lacks, only
 * removals of keywords it has, so that a repeated call changes nothing. Keywords the mailbox cannot
 * store permanently (PERMANENTFLAGS without `\*` and without the keyword) are left out: a keyword
 * is a hint to other clients, never worth failing for. No PERMANENTFLAGS at all means any flag
 * can be stored (RFC 3501 §7.1).
 */
export function keywordChanges({
  current,
  add = [],
  remove = [],
  permanentFlags,
}: {
  current: Iterable<string>;
  add?: readonly string[];
  remove?: readonly string[];
  permanentFlags?: Iterable<string>;
}): { add: string[]; remove: string[] } {
  const has = new Set([...current].map((flag) => flag.toLowerCase()));
  const permitted = permanentFlags === undefined ? undefined : new Set([...permanentFlags].map((flag) => flag.toLowerCase()));
  const storable = (keyword: string): boolean => !permitted || permitted.has('\\*') || permitted.has(keyword.toLowerCase());
  const unique = (keywords: readonly string[]): string[] => keywords.filter((keyword, index) => keywords.findIndex((other) => other.toLowerCase() === keyword.toLowerCase()) === index);
  return { add: unique(add).filter((keyword) => !has.has(keyword.toLowerCase()) && storable(keyword)), remove: unique(remove).filter((keyword) => has.has(keyword.toLowerCase())) };
}
