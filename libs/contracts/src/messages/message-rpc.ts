import { rpcSubject } from '../rpc';

/** Request/reply operations of message-router that the api calls for the read API (SPEC §4). */
const router = (operation: string): string => rpcSubject({ service: 'message-router', operation });

export const MessageRouterRpc = {
  listUserMessages: router('messages.list'),
  /** The view (MessageViewReply); bodies too long for one NATS reply come in slices through readMessageBody. */
  getMessage: router('messages.get'),
  readMessageBody: router('messages.read-body'),
  /** Where the raw source of a message is (blob id, size), so the api streams it from the store itself: a 50 MB message does not fit a NATS reply. */
  locateRaw: router('messages.locate-raw'),
  locateAttachment: router('messages.locate-attachment'),
  setRead: router('messages.set-read'),
  markSpam: router('messages.mark-spam'),
  deleteMessage: router('messages.delete'),
} as const;
