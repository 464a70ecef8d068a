/** Domain-separation labels of the signed widget configuration (docs/PROTOCOL.md §13, §19). */
import { labelled as labelledAny } from '../core/index.js';

export const WIDGET_CONFIG_LABELS = {
  /** AIK signature over a widget configuration body. */
  signature: 'sealdesk/v2/widget-config',
  /** Hash of a widget configuration body: what a client remembers to tell a replay from an equivocation. */
  hash: 'sealdesk/v2/widget-config-hash',
} as const;

export type WidgetConfigLabel = (typeof WIDGET_CONFIG_LABELS)[keyof typeof WIDGET_CONFIG_LABELS];

/** `label || 0x00 || bytes`: what is signed or hashed under a label. */
export const labelled: (label: WidgetConfigLabel, bytes: Uint8Array) => Uint8Array = labelledAny;
