/**
 * In-process counters exposed at GET /metrics in the Prometheus text format. Only counts and
 * sizes: nothing here can identify a message's content.
 */
export interface QueueStats {
  readonly pendingMessages: number;
  readonly queues: number;
  readonly deepestQueue: number;
}

export class Metrics {
  connections = 0;
  messagesIn = 0;
  /** Sends answered with the cursor of an equal envelope stored before (PROTOCOL §16.2), not stored again. */
  resends = 0;
  messagesOut = 0;
  batches = 0;
  /** Envelopes committed by other relay nodes and pushed to this node's receivers (shared store). */
  remoteIn = 0;
  /** Fetches of a queue from the store to fill a gap or catch up with another node's messages. */
  catchUps = 0;
  /** More lines for /metrics, e.g. the cluster link's (relay/bus/cluster-link.ts). */
  readonly sections: (() => readonly string[])[] = [];
  readonly rejects = new Map<string, number>();
  readonly httpRequests = new Map<string, number>();

  reject(reason: string): void {
    this.rejects.set(reason, (this.rejects.get(reason) ?? 0) + 1);
  }

  http(status: number): void {
    const key = String(status);
    this.httpRequests.set(key, (this.httpRequests.get(key) ?? 0) + 1);
  }

  render(queues: QueueStats): string {
    const lines = [
      '# HELP sealdesk_connections Open WebSocket connections.',
      '# TYPE sealdesk_connections gauge',
      `sealdesk_connections ${this.connections}`,
      '# HELP sealdesk_messages_in_total Envelopes accepted and committed.',
      '# TYPE sealdesk_messages_in_total counter',
      `sealdesk_messages_in_total ${this.messagesIn}`,
      '# HELP sealdesk_messages_resent_total Sends of an envelope the queue had already stored (a resend), answered with its first cursor.',
      '# TYPE sealdesk_messages_resent_total counter',
      `sealdesk_messages_resent_total ${this.resends}`,
      '# HELP sealdesk_messages_out_total Envelopes pushed to receivers (including re-deliveries).',
      '# TYPE sealdesk_messages_out_total counter',
      `sealdesk_messages_out_total ${this.messagesOut}`,
      '# HELP sealdesk_commit_batches_total Store transactions for inbound frames (one per event-loop tick with traffic).',
      '# TYPE sealdesk_commit_batches_total counter',
      `sealdesk_commit_batches_total ${this.batches}`,
      '# HELP sealdesk_messages_remote_total Envelopes committed by other nodes and pushed to receivers here.',
      '# TYPE sealdesk_messages_remote_total counter',
      `sealdesk_messages_remote_total ${this.remoteIn}`,
      '# HELP sealdesk_catchup_fetches_total Queue fetches from the store to fill a gap or catch up with other nodes.',
      '# TYPE sealdesk_catchup_fetches_total counter',
      `sealdesk_catchup_fetches_total ${this.catchUps}`,
      '# HELP sealdesk_queue_pending_messages Envelopes stored and not yet acknowledged.',
      '# TYPE sealdesk_queue_pending_messages gauge',
      `sealdesk_queue_pending_messages ${queues.pendingMessages}`,
      '# HELP sealdesk_queues_nonempty Receiver queues holding at least one envelope.',
      '# TYPE sealdesk_queues_nonempty gauge',
      `sealdesk_queues_nonempty ${queues.queues}`,
      '# HELP sealdesk_queue_depth_max Envelopes in the deepest receiver queue.',
      '# TYPE sealdesk_queue_depth_max gauge',
      `sealdesk_queue_depth_max ${queues.deepestQueue}`,
      '# HELP sealdesk_rejects_total Rejected frames and requests by reason.',
      '# TYPE sealdesk_rejects_total counter',
      ...[...this.rejects].map(([reason, n]) => `sealdesk_rejects_total{reason="${reason}"} ${n}`),
      '# HELP sealdesk_http_responses_total HTTP responses by status.',
      '# TYPE sealdesk_http_responses_total counter',
      ...[...this.httpRequests].map(([status, n]) => `sealdesk_http_responses_total{status="${status}"} ${n}`),
      ...this.sections.flatMap((section) => section()),
    ];
    return `${lines.join('\n')}\n`;
  }
}
