/**
 * The widget's own look and words, for the settings page's live preview (docs/ARCHITECTURE.md: the
 * agent apps may import the widget's pure look units, never its runtime). Also the colour advice
 * the editor shows: WCAG 2.2 contrast of the business colour with the text the widget draws on it.
 */
import { contrast, textOn } from '../../../widget/look/colour.js';

export {
  ATTACH_ICON,
  CHAT_ICON,
  CLOSE_ICON,
  LOCK_ICON,
  MINIMISE_ICON,
  SEND_ICON,
  SHIELD_ICON,
} from '../../../widget/look/icons.js';
export { CHAT_CSS } from '../../../widget/chat/chat-styles.js';
export { LOADER_CSS } from '../../../widget/loader/loader-styles.js';
export { loaderTexts } from '../../../widget/loader/loader-texts.js';
import { ENGLISH, primaryLanguage, type Texts } from '../../../widget/chat/texts.js';
import { GERMAN } from '../../../widget/chat/texts-de-words.js';

export { fill, type Texts } from '../../../widget/chat/texts.js';
export { isOpen, replyTime } from '../../../widget/chat/business-hours.js';
export { textOn };

/**
 * The languages the widget has texts for: English is built into the chat; each other language is a
 * pinned language pack of the widget build (scripts/widget/build-widget.ts, LANGUAGES).
 */
export const WIDGET_LANGUAGES: readonly { readonly tag: string; readonly name: string; readonly texts: Texts }[] = [
  { tag: 'en', name: 'English', texts: ENGLISH },
  { tag: 'de', name: 'Deutsch (German)', texts: GERMAN },
];

/** The words the widget shows for a configured language tag: its pack, else English (widget/chat/language.ts). */
export function widgetTexts(language: string): Texts {
  return WIDGET_LANGUAGES.find((l) => l.tag === primaryLanguage(language))?.texts ?? ENGLISH;
}

/** WCAG 2.2 §1.4.3 (text, AA) and §1.4.11 (non-text, such as the launcher against the page). */
const TEXT_AA = 4.5;
const NON_TEXT_AA = 3;
const WHITE_PAGE = '#ffffff';
/** The widget's dark-mode panel background (chat-styles.ts, --sd-bg). */
const DARK_PAGE = '#17181c';

export interface ColourAdvice {
  /** The text colour the widget draws on the business colour (white or near-black). */
  readonly textColour: string;
  /** Contrast of that text on the colour, e.g. 5.2 (meaning 5.2:1). */
  readonly textContrast: number;
  readonly onWhitePage: number;
  readonly onDarkPage: number;
  /** Plain warnings; empty when the colour meets AA for its text and stands out on light and dark pages. */
  readonly warnings: readonly string[];
}

/** How readable the widget is in `colour` (`#rrggbb`). */
export function colourAdvice(colour: string): ColourAdvice {
  const textColour = textOn(colour);
  const textContrast = contrast(colour, textColour);
  const onWhitePage = contrast(colour, WHITE_PAGE);
  const onDarkPage = contrast(colour, DARK_PAGE);
  const warnings: string[] = [];
  if (textContrast < TEXT_AA)
    warnings.push(
      'Text on this colour is hard to read (below the 4.5:1 that WCAG AA asks for). Pick a darker or lighter colour.',
    );
  if (onWhitePage < NON_TEXT_AA)
    warnings.push('This colour is pale: the chat button may be hard to see on a white page (below 3:1).');
  if (onDarkPage < NON_TEXT_AA)
    warnings.push('This colour is dark: the chat button may be hard to see on a dark page (below 3:1).');
  return { textColour, textContrast, onWhitePage, onDarkPage, warnings };
}
