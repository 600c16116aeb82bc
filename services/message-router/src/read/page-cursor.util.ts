import type { PageCursor } from '../deliveries/delivery.repository';

/** Opaque to clients: base64url of `<receivedAt ms>.<delivery id>`. */
export const encodeCursor = ({ receivedAt, id }: PageCursor): string => Buffer.from(`${receivedAt.getTime()}.${id}`).toString('base64url');

/** @returns undefined for anything that is not a cursor this service made */
export function decodeCursor(cursor: string): PageCursor | undefined {
  const [ms, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  const time = Number(ms);
  if (rest.length > 0 || !id || !/^d[0-9a-f]{32}$/.test(id) || !Number.isSafeInteger(time)) return undefined;
  return { receivedAt: new Date(time), id };
}
