/**
 * shared/protocol/widget-config: the public API of this sub-module; code outside it imports only
 * this file (docs/ARCHITECTURE.md).
 *
 * The widget's settings signed by the business (docs/PROTOCOL.md §19): greeting, colour, position,
 * language, business hours, expected reply time, pre-chat question.
 */
export {
  type BusinessHoursRange,
  checkReceivedSettings,
  checkSettingsToSign,
  WIDGET_SETTINGS_LIMITS,
  type WidgetSettings,
  type WidgetSettingsField,
  type WidgetSettingsProblem,
  widgetSettingsProblems,
} from './widget-settings.js';
export { decodeWidgetConfigBody, type SignedWidgetConfig, type WidgetConfigBody } from './widget-config-codec.js';
export {
  type SeenWidgetConfig,
  signWidgetConfig,
  type VerifiedWidgetConfig,
  verifyWidgetConfig,
} from './widget-config-signing.js';
export { WIDGET_CONFIG_LABELS } from './widget-config-labels.js';
