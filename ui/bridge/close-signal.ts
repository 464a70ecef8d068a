/** The "other side went away" signal of a channel: fires its listeners once, however often it is raised. */
export interface CloseSignal {
  readonly closed: boolean;
  onClose(listener: () => void): () => void;
  fire(): void;
}

export function createCloseSignal(): CloseSignal {
  const listeners = new Set<() => void>();
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    onClose(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    fire() {
      if (closed) return;
      closed = true;
      for (const listener of [...listeners]) listener();
    },
  };
}
