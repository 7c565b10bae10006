// Keeps the model: snapshot() on load (and after a restart), then every "station" event, those
// that arrive while the snapshot is awaited applied over it; re-renders when a timed display
// (saved tick, refusal, toast) expires. A reloaded page loses nothing.
import type { AppError, StationEvent } from "./backend/bindings";
import type { Backend } from "./backend/tauri";
import { play } from "./sound";
import { fromSnapshot, nextExpiry, reduce, type Model } from "./state";

export type SessionOptions = { sounds: boolean; onChange: (m: Model, reason: StationEvent | null) => void; onError?: (e: AppError) => void };

export function asAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "message_zh" in e && "message_en" in e) {
    const o = e as AppError;
    return { code: String(o.code ?? "error"), message_zh: String(o.message_zh), message_en: String(o.message_en) };
  }
  const text = e instanceof Error ? e.message : String(e);
  return { code: "error", message_zh: text, message_en: text };
}

/** Events kept while a snapshot is awaited (live verdicts only the newest: see `hold`). */
export const HELD_MAX = 256;

export class Session {
  model: Model | null = null;
  private unlisten: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Events that arrived while a snapshot was awaited, applied over it when it answers: one
   * emitted after the station took the snapshot can reach the page before the snapshot does,
   * and dropped it would be lost for good (seen in an end-to-end run: the camera's first
   * answer, a missing file, never reached the banner). A state one already in the snapshot sets
   * the same again; a toast, a tick or a sound of one (a refusal, a saved photo) shows as it
   * happened a moment ago. `null`: no snapshot awaited, events apply at once. */
  private held: StationEvent[] | null = [];
  /** Snapshots asked for: only the newest one's answer is taken. */
  private asked = 0;

  constructor(
    private backend: Backend,
    private opts: SessionOptions,
  ) {}

  async start(): Promise<void> {
    const un = await this.backend.onEvent((ev) => this.apply(ev));
    if (this.stopped) {
      un();
      return;
    }
    this.unlisten = un;
    await this.resnapshot();
  }

  /** Take the state from a snapshot, retrying (with a growing pause) until the station answers;
   * the events that arrive meanwhile are applied over it. */
  async resnapshot(): Promise<void> {
    const mine = ++this.asked;
    // What arrived before this request is in the snapshot it asks for (or belongs to the
    // station run a restart ended).
    this.held = [];
    for (let attempt = 0; !this.stopped && mine === this.asked; attempt++) {
      try {
        const snap = await this.backend.snapshot();
        if (this.stopped || mine !== this.asked) return;
        const keep = this.model;
        this.model = fromSnapshot(snap);
        if (keep) this.model = { ...this.model, savedUntil: keep.savedUntil, savedStudent: keep.savedStudent };
        const missed = this.held ?? [];
        this.held = null;
        this.changed(null);
        for (const ev of missed) this.apply(ev);
        return;
      } catch (e) {
        if (attempt === 0) this.opts.onError?.(asAppError(e));
        await new Promise((r) => setTimeout(r, Math.min(3000, 250 * (attempt + 1))));
      }
    }
  }

  apply(ev: StationEvent): void {
    if (this.stopped) return;
    if (ev.kind === "restarted") {
      void this.resnapshot();
      return;
    }
    if (this.held) {
      this.hold(this.held, ev);
      return;
    }
    if (!this.model) return;
    const { model, sounds } = reduce(this.model, ev, Date.now());
    this.model = model;
    if (this.opts.sounds) for (const s of sounds) play(s);
    this.changed(ev);
  }

  /** Keep `ev` for the snapshot awaited: a live verdict replaces the one kept before it (the
   * camera sends 30 a second, each whole), and past `HELD_MAX` the oldest goes. */
  private hold(held: StationEvent[], ev: StationEvent): void {
    if (ev.kind === "session" && ev.event === "live") {
      const i = held.findIndex((h) => h.kind === "session" && h.event === "live");
      if (i >= 0) held.splice(i, 1);
    }
    held.push(ev);
    if (held.length > HELD_MAX) held.shift();
  }

  /** Local change (e.g. an invoke's rejection shown as a toast). */
  update(f: (m: Model) => Model): void {
    if (!this.model) return;
    this.model = f(this.model);
    this.changed(null);
  }

  stop(): void {
    this.stopped = true;
    this.unlisten?.();
    if (this.timer) clearTimeout(this.timer);
  }

  private changed(ev: StationEvent | null): void {
    if (!this.model) return;
    this.opts.onChange(this.model, ev);
    if (this.timer) clearTimeout(this.timer);
    const now = Date.now();
    const at = nextExpiry(this.model, now);
    if (at !== null) this.timer = setTimeout(() => this.changed(null), at - now + 5);
  }
}
