/**
 * The chat's words in the language of the signed widget configuration (WidgetConfig.language), or of
 * the page before the configuration has loaded. English is built in; every other language is a pinned
 * file whose SHA-384 the build compiles into the chat chunk, loaded through Subresource Integrity.
 */
import { type Assets, loadPinned } from '../bridge/load-pinned.js';
import type { PinnedFile } from '../snippet/widget-manifest.js';
import { ENGLISH, isTexts, primaryLanguage, type Texts } from './texts.js';

declare const SEALDESK_PINNED_TEXTS: Readonly<Record<string, PinnedFile>>;

/** The texts for `language`, English when there is no pack for it or it does not load. */
export async function loadTexts(language: string, assets: Assets): Promise<Texts> {
  const pinned = Object.entries(SEALDESK_PINNED_TEXTS).find(([name]) => name === primaryLanguage(language))?.[1];
  if (pinned === undefined) return ENGLISH;
  try {
    const texts = await loadPinned(pinned, assets);
    if (isTexts(texts)) return texts;
    console.warn(`Sealdesk: the ${language} texts are incomplete; using English`);
  } catch (error) {
    console.warn('Sealdesk:', error instanceof Error ? error.message : error);
  }
  return ENGLISH;
}
