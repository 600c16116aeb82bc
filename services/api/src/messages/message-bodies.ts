import { Injectable } from '@nestjs/common';
import { MessageRouterRpc, type MessageBodySlice, type MessageView, type MessageViewReply } from '@mailbus/contracts';
import { RpcClient } from '../rpc/rpc-client';

/**
 * The whole view from message-router's answer: a body too long for one NATS reply (a newsletter's
 * HTML of megabytes) came without it, and is read here slice by slice.
 */
@Injectable()
export class MessageBodies {
  constructor(private readonly rpc: RpcClient) {}

  async complete({ bodyLengths, ...view }: MessageViewReply): Promise<MessageView> {
    if (!bodyLengths) return view;
    for (const part of ['text', 'html'] as const) {
      const length = bodyLengths[part];
      if (length !== undefined) view[part] = await this.read({ messageId: view.id, part, length });
    }
    return view;
  }

  private async read({ messageId, part, length }: { messageId: string; part: 'text' | 'html'; length: number }): Promise<string> {
    const slices: string[] = [];
    for (let read = 0; read < length; ) {
      const { slice } = await this.rpc.request<MessageBodySlice>({ subject: MessageRouterRpc.readMessageBody, payload: { messageId, part, from: read } });
      // Shorter than announced: the record changed meanwhile; what there is.
      if (slice.length === 0) break;
      slices.push(slice);
      read += slice.length;
    }
    return slices.join('');
  }
}
