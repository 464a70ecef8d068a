/**
 * Keeps a scrolling log at its end when it was at its end (issue #12 item 3, 360 px phones): when
 * the panel is resized (the viewport turns, the on-screen keyboard opens), a visitor reading the
 * newest message keeps seeing it; one who scrolled up to read is left where they are.
 */
const NEAR_END_PX = 60;

export class StickToBottom {
  #atEnd = true;
  /** The scroller's height when `#atEnd` was last decided: a scroll at another height is the resize's. */
  #height = -1;
  readonly #observer: ResizeObserver;

  constructor(private readonly scroller: HTMLElement) {
    scroller.addEventListener('scroll', () => {
      // The engine clamps or re-anchors the scroll position when the box changes size, before the
      // observer below runs: that scroll says nothing about where the visitor was reading.
      if (scroller.clientHeight !== this.#height) return;
      this.#atEnd = this.nearEnd(0);
    });
    this.#observer = new ResizeObserver(() => {
      if (this.#atEnd) this.toEnd();
      this.#height = scroller.clientHeight;
    });
    this.#observer.observe(scroller);
  }

  /** Whether the end is within `extra` pixels more than the usual slack. */
  nearEnd(extra: number): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= NEAR_END_PX + extra;
  }

  toEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.#atEnd = true;
  }

  dispose(): void {
    this.#observer.disconnect();
  }
}
