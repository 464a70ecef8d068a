/**
 * The host page's title as an unread cue (issue #15 item 4): while business messages wait unseen,
 * the tab reads "(n) <page title>", so a visitor on another tab sees that the business replied; the
 * page's own title comes back when the count drops to zero. A title the page sets meanwhile becomes
 * the base (our prefix is never stacked, and never left behind).
 */
export class TitleCue {
  #base: string | undefined;
  #shown: string | undefined;

  set unread(count: number) {
    const current = document.title;
    // The page changed its title since we last set it: that is the title to restore.
    if (this.#shown === undefined || current !== this.#shown) this.#base = current;
    if (count <= 0) {
      if (this.#shown !== undefined && current === this.#shown) document.title = this.#base ?? '';
      this.#shown = undefined;
      return;
    }
    this.#shown = `(${count > 99 ? '99+' : count}) ${this.#base ?? ''}`;
    document.title = this.#shown;
  }
}
