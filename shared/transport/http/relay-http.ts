/** The relay's HTTP API as one object: auth (OPAQUE, device sessions), directory, conversations. */
import { ArchiveApi } from './archive-api.js';
import { AuthApi } from './auth-api.js';
import { ConversationApi } from './conversation-api.js';
import { DirectoryApi } from './directory-api.js';
import { LinkApi } from './link-api.js';
import { type RelayHttpOptions, RelayRequester } from './relay-request.js';

export interface RelayHttp {
  readonly origin: string;
  readonly auth: AuthApi;
  readonly directory: DirectoryApi;
  readonly conversations: ConversationApi;
  readonly links: LinkApi;
  readonly archive: ArchiveApi;
}

export function createRelayHttp(options: RelayHttpOptions): RelayHttp {
  const requester = new RelayRequester(options);
  return {
    origin: requester.origin,
    auth: new AuthApi(requester),
    directory: new DirectoryApi(requester),
    conversations: new ConversationApi(requester),
    links: new LinkApi(requester),
    archive: new ArchiveApi(requester),
  };
}
