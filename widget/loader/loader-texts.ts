/** The loader's few words, in the page's language when it has them (the chat app has the rest). */
const EN = {
  open: 'Open chat',
  close: 'Close chat',
  unread: 'unread',
  loading: 'Loading the chat…',
  failed: 'The chat could not be loaded safely',
  failedText: 'The connection failed, or its code was not the version this website approved. Nothing was run.',
  retry: 'Try again',
};

export type LoaderTexts = typeof EN;

const DE: LoaderTexts = {
  open: 'Chat öffnen',
  close: 'Chat schließen',
  unread: 'ungelesen',
  loading: 'Chat wird geladen …',
  failed: 'Der Chat konnte nicht sicher geladen werden',
  failedText:
    'Die Verbindung ist fehlgeschlagen, oder sein Code war nicht die von dieser Website freigegebene Version. Es wurde nichts ausgeführt.',
  retry: 'Erneut versuchen',
};

export function loaderTexts(language: string): LoaderTexts {
  return language.toLowerCase().startsWith('de') ? DE : EN;
}
