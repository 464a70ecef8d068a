/**
 * The relay's HTTP API as the visitor widget uses it: directory reads and its own conversation.
 * No account, device-session or linking routes, so the widget's chat chunk carries none of them
 * (issue #12 item 8); the agent side uses the whole API (relay-http.ts), of which this is a part.
 */
import { VisitorConversationApi } from './conversation-api.js';
import { DirectoryReads } from './directory-api.js';
import { type RelayHttpOptions, RelayRequester } from './relay-request.js';

export interface VisitorHttp {
  readonly origin: string;
  readonly directory: DirectoryReads;
  readonly conversations: VisitorConversationApi;
}

export function createVisitorHttp(options: RelayHttpOptions): VisitorHttp {
  const requester = new RelayRequester(options);
  return {
    origin: requester.origin,
    directory: new DirectoryReads(requester),
    conversations: new VisitorConversationApi(requester),
  };
}
