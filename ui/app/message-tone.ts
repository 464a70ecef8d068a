/**
 * "Play a sound for new messages" in an open page (issue #15 item 4): the notifications of the
 * extension's background and of the PWA's service worker come only while no page is open, so a
 * page that is open but not focused plays a short tone itself for a visitor's message. The tone is
 * made with WebAudio (no audio file). With several pages open, the first to take the Web Lock
 * plays it and the others skip, so one message gives one tone.
 */
import type { AgentRuntime } from '../../shared/runtime/index.js';
import type { DevicePrefs } from './device-prefs.js';

const TONE_LOCK = 'sealdesk-message-tone';
const TONE_SECONDS = 0.25;

/** A short, soft two-note chime (880 Hz then 1320 Hz). */
async function playTone(): Promise<void> {
  const audio = new AudioContext();
  try {
    const gain = audio.createGain();
    gain.connect(audio.destination);
    const start = audio.currentTime;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + TONE_SECONDS);
    for (const [frequency, at] of [
      [880, 0],
      [1320, TONE_SECONDS / 2],
    ] as const) {
      const note = audio.createOscillator();
      note.type = 'sine';
      note.frequency.value = frequency;
      note.connect(gain);
      note.start(start + at);
      note.stop(start + TONE_SECONDS);
    }
    await new Promise((resolve) => setTimeout(resolve, TONE_SECONDS * 1000 + 50));
  } finally {
    await audio.close();
  }
}

/** Plays the tone for each visitor message while the preference is on and the page has no focus. */
export function playToneForMessages(
  runtime: Pick<AgentRuntime, 'on'>,
  prefs: () => DevicePrefs,
  focused: () => boolean,
): () => void {
  return runtime.on('message', (message) => {
    if (message.from !== 'visitor' || !prefs().sound || focused()) return;
    void navigator.locks
      .request(TONE_LOCK, { ifAvailable: true }, async (lock) => {
        if (lock !== null) await playTone();
      })
      .catch(() => undefined); // a browser that blocks audio without a gesture: no tone, nothing else
  });
}
