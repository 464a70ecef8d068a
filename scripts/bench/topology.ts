/**
 * What a benchmark run drives: `senders` sending clients, each with `fanout` receiving clients of
 * its own, all connected to one server (the bare forwarder or the relay). Frames have exactly
 * `frameBytes` bytes on the wire (the WebSocket payload of what a sender sends).
 */
export interface Topology {
  readonly senders: number;
  readonly fanout: number;
  /** Builds per-(sender, receiver) frame templates of this size. */
  prepare(frameBytes: number): void;
  /** Sends one frame from `sender` to its `slot`-th receiver, stamped with `sentAt`. */
  send(sender: number, slot: number, sentAt: number): void;
  /** Set by the run: called once per delivered frame. */
  onDelivery: (sender: number, sentAt: number) => void;
  /** Error frames and unexpected closes by kind. */
  readonly problems: Map<string, number>;
  close(): Promise<void>;
}

export function countProblem(problems: Map<string, number>, what: string): void {
  problems.set(what, (problems.get(what) ?? 0) + 1);
}
