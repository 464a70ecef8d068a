/**
 * The relay's HTTP API as one object: auth (OPAQUE, device sessions), directory, conversations,
 * links, the AIK backup, push, the inbox archive.
 */
import { ArchiveApi } from './archive-api.js';
import { AuthApi } from './auth-api.js';
import { BlockApi } from './block-api.js';
import { ConversationApi } from './conversation-api.js';
import { DirectoryApi } from './directory-api.js';
import { LinkApi } from './link-api.js';
import { RecoveryApi } from './recovery-api.js';
import { PushApi } from './push-api.js';
import { type RelayHttpOptions, RelayRequester } from './relay-request.js';
import type { VisitorHttp } from './visitor-http.js';

/** Everything of the visitor's part (visitor-http.ts), with the agent's writes and routes. */
export interface RelayHttp extends VisitorHttp {
  readonly auth: AuthApi;
  readonly directory: DirectoryApi;
  readonly conversations: ConversationApi;
  readonly links: LinkApi;
  readonly recovery: RecoveryApi;
  readonly push: PushApi;
  readonly archive: ArchiveApi;
  /** The per-visitor block list (PROTOCOL §16.10). */
  readonly blocks: BlockApi;
}

export function createRelayHttp(options: RelayHttpOptions): RelayHttp {
  const requester = new RelayRequester(options);
  return {
    origin: requester.origin,
    auth: new AuthApi(requester),
    directory: new DirectoryApi(requester),
    conversations: new ConversationApi(requester),
    links: new LinkApi(requester),
    recovery: new RecoveryApi(requester),
    push: new PushApi(requester),
    archive: new ArchiveApi(requester),
    blocks: new BlockApi(requester),
  };
}
