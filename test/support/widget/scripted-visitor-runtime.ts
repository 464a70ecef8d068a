/**
 * TEST CODE ONLY: a scripted object implementing the VisitorRuntime interface, so the widget's UI can
 * be driven in real browsers before the real visitor runtime exists. It verifies nothing, encrypts
 * nothing and talks to no relay; it is bundled only into the test builds of test/browser/ (through
 * scripted-runtime-factory.ts), never into dist/, the demo or the product. Tests steer it through
 * `window.sealdeskScripted` (calls made, events to emit).
 */
import { SealdeskError } from '../../../shared/errors/index.js';
import type { AttachmentHandle, MessageId, ProgressListener } from '../../../shared/runtime/index.js';
import type {
  VisitorConversationView,
  VisitorEvents,
  VisitorReady,
  VisitorRuntime,
  WidgetConfig,
} from '../../../shared/runtime/index.js';

export const SCRIPTED_FINGERPRINT = '4ost sl3z jvqk 43br 7adq nv7h txn4 haui skco ct32 o2mh 3lfs b3wq';
export const SERVED_FINGERPRINT = 'ffyp hwjs rwm7 fgfs lbte wxny lj44 5lkd 6sjz fmcw kujf r2pt 3f5a';

/** A pin mismatch as the runtime reports it (code `pin-mismatch`, with the fingerprint the relay served). */
class ScriptedPinMismatch extends SealdeskError {
  readonly code = 'pin-mismatch';
  readonly servedFingerprint = SERVED_FINGERPRINT;
}

class ScriptedNetworkFailure extends SealdeskError {
  readonly code = 'network';
}

/** Records written by another build, as shared/storage reports them (code `storage-schema`). */
class ScriptedStaleStorage extends SealdeskError {
  readonly code = 'storage-schema';
}

export const SCRIPTED_CONFIG: WidgetConfig = {
  businessName: 'Alder & Finch',
  greeting: 'Hi! Questions about beans, brewing or an order? Ask away — we usually answer within minutes.',
  colour: '#7c3f1d',
  position: 'bottom-right',
  language: 'en',
  expectedReplyMinutes: 5,
  businessHours: [],
  timeZone: 'Europe/Berlin',
};

type Listener = (event: never) => void;

export interface ScriptControl {
  readonly calls: string[];
  emit<K extends keyof VisitorEvents>(type: K, event: VisitorEvents[K]): void;
  /** An attachment the scripted business sends: a PNG drawn on a canvas in the page. */
  agentImage(name: string, agentName: string): Promise<void>;
}

declare global {
  interface Window {
    sealdeskScripted?: ScriptControl;
  }
}

export class ScriptedVisitorRuntime implements VisitorRuntime {
  readonly calls: string[] = [];
  readonly #listeners = new Map<keyof VisitorEvents, Set<Listener>>();
  readonly #blobs = new Map<MessageId, Blob>();
  #conversation: VisitorConversationView | undefined;
  #seq = 0;

  constructor(private readonly scenario: string) {
    window.sealdeskScripted = {
      calls: this.calls,
      emit: (type, event) => {
        this.emit(type, event);
      },
      agentImage: (name, agentName) => this.agentImage(name, agentName),
    };
  }

  readonly on = <K extends keyof VisitorEvents>(type: K, listener: (event: VisitorEvents[K]) => void): (() => void) => {
    const set = this.#listeners.get(type) ?? new Set<Listener>();
    set.add(listener);
    this.#listeners.set(type, set);
    return () => set.delete(listener);
  };

  private emit<K extends keyof VisitorEvents>(type: K, event: VisitorEvents[K]): void {
    for (const listener of this.#listeners.get(type) ?? []) (listener as (e: VisitorEvents[K]) => void)(event);
  }

  start(): Promise<VisitorReady> {
    this.calls.push('start');
    if (this.scenario === 'pin-mismatch')
      return Promise.reject(new ScriptedPinMismatch('the device list is not signed by the pinned account key'));
    if (this.scenario === 'unavailable') return Promise.reject(new ScriptedNetworkFailure('the relay did not answer'));
    if (this.scenario === 'stale-storage')
      return Promise.reject(new ScriptedStaleStorage('database written by a newer build; update the app'));
    const config =
      this.scenario === 'prechat'
        ? { ...SCRIPTED_CONFIG, prechatQuestion: 'What is your order number, if you have one?' }
        : SCRIPTED_CONFIG;
    return Promise.resolve({ business: { name: config.businessName, fingerprint: SCRIPTED_FINGERPRINT }, config });
  }

  openConversation(prechat?: { readonly question: string; readonly answer: string }): Promise<VisitorConversationView> {
    this.calls.push(prechat === undefined ? 'openConversation' : `openConversation:${prechat.answer}`);
    this.#conversation = { conversationId: '5c'.repeat(16), messages: [], closed: false, alerts: [] };
    return Promise.resolve(this.#conversation);
  }

  private ownId(): MessageId {
    return `${'aa'.repeat(16)}:${++this.#seq}`;
  }

  sendText(text: string): Promise<MessageId> {
    this.calls.push(`sendText:${text}`);
    const id = this.ownId();
    setTimeout(() => {
      this.emit('status', { messageId: id, status: 'stored' });
    }, 30);
    return Promise.resolve(id);
  }

  setTyping(active: boolean): Promise<void> {
    this.calls.push(`setTyping:${String(active)}`);
    return Promise.resolve();
  }

  markRead(messageId: MessageId): Promise<void> {
    this.calls.push(`markRead:${messageId}`);
    return Promise.resolve();
  }

  async sendAttachment(file: Blob, name: string, onProgress?: ProgressListener): Promise<MessageId> {
    this.calls.push(`sendAttachment:${name}`);
    for (let done = 0; done <= 4; done++) {
      onProgress?.((file.size * done) / 4, file.size);
      await new Promise((r) => setTimeout(r, 40));
    }
    const id = this.ownId();
    this.#blobs.set(id, file);
    const now = Date.now();
    this.emit('message', {
      id,
      conversationId: '5c'.repeat(16),
      from: 'self',
      senderDeviceId: 'aa'.repeat(16),
      sentAt: now,
      receivedAt: now,
      body: {
        kind: 'attachment',
        attachment: { conversationId: '5c'.repeat(16), messageId: id, name, mime: file.type, size: file.size },
      },
      status: 'stored',
    });
    return id;
  }

  openAttachment(handle: AttachmentHandle): Promise<Blob> {
    this.calls.push(`openAttachment:${handle.name}`);
    const blob = this.#blobs.get(handle.messageId);
    return blob === undefined
      ? Promise.reject(new ScriptedNetworkFailure('no such attachment'))
      : Promise.resolve(blob);
  }

  close(reason?: string): Promise<void> {
    this.calls.push(`close:${reason ?? ''}`);
    this.emit('closed', { by: 'self' });
    return Promise.resolve();
  }

  erase(): Promise<void> {
    this.calls.push('erase');
    this.#conversation = undefined;
    return Promise.resolve();
  }

  safetyCode(): Promise<{ readonly code: string; readonly listVersion: number }> {
    this.calls.push('safetyCode');
    return Promise.resolve({ code: '40318 22957 61042 88310 05721 93364', listVersion: 3 });
  }

  dispose(): void {
    this.calls.push('dispose');
  }

  private async agentImage(name: string, agentName: string): Promise<void> {
    const canvas = document.createElement('canvas');
    canvas.width = 480;
    canvas.height = 320;
    const g = canvas.getContext('2d');
    if (g === null) throw new ScriptedNetworkFailure('no 2d canvas');
    g.fillStyle = '#efe4d8';
    g.fillRect(0, 0, 480, 320);
    g.fillStyle = '#6d3b5e';
    g.fillRect(170, 70, 140, 200);
    g.fillStyle = '#552d49';
    g.fillRect(185, 50, 110, 24);
    g.fillStyle = '#fbf8f4';
    g.fillRect(195, 130, 90, 70);
    g.fillStyle = '#1f1a17';
    g.font = 'bold 22px Georgia, serif';
    g.fillText('A&F', 215, 172);
    const blob = await new Promise<Blob>((resolve, reject) => {
      canvas.toBlob((b) => {
        if (b === null) reject(new ScriptedNetworkFailure('canvas gave no PNG'));
        else resolve(b);
      }, 'image/png');
    });
    const id = `${'bb'.repeat(16)}:${++this.#seq}`;
    this.#blobs.set(id, blob);
    const now = Date.now();
    this.emit('message', {
      id,
      conversationId: '5c'.repeat(16),
      from: 'agent',
      senderDeviceId: 'bb'.repeat(16),
      agentName,
      sentAt: now,
      receivedAt: now,
      body: {
        kind: 'attachment',
        attachment: { conversationId: '5c'.repeat(16), messageId: id, name, mime: 'image/png', size: blob.size },
      },
    });
  }
}
