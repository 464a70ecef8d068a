/** German (de): a language pack, built as its own pinned file (dist/widget/texts-de-<hash>.js; language.ts). */
import { handOver } from '../bridge/load-pinned.js';
import { GERMAN } from './texts-de-words.js';

handOver(GERMAN);
