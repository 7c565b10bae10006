// Keeps the model: snapshot() on load, then every "station" event; re-renders when a timed
// display (saved tick, refusal, toast) expires. A reloaded page loses nothing.
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

/** How soon a snapshot that found the camera still starting is taken again. */
export const CAMERA_RECHECK_MS = 1000;

export class Session {
  model: Model | null = null;
  private unlisten: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private cameraTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

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

  /** Take the state from a snapshot, retrying (with a growing pause) until the station answers. */
  async resnapshot(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const snap = await this.backend.snapshot();
        if (this.stopped) return;
        const keep = this.model;
        this.model = fromSnapshot(snap);
        if (keep) this.model = { ...this.model, savedUntil: keep.savedUntil, savedStudent: keep.savedStudent };
        this.changed(null);
        if (snap.camera.state === "starting") this.recheckCamera();
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
    if (!this.model) return; // before the snapshot: the snapshot is newer
    const { model, sounds } = reduce(this.model, ev, Date.now());
    this.model = model;
    if (this.opts.sounds) for (const s of sounds) play(s);
    this.changed(ev);
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
    if (this.cameraTimer) clearTimeout(this.cameraTimer);
  }

  /** A snapshot found the camera still starting: its first answer (a picture, or a problem for
   * the banner) may have been emitted after the snapshot was taken but reached the window before
   * it, and been dropped as older than the snapshot, leaving "camera starting…" on screen for
   * good (seen once in an end-to-end run: a camera that cannot be opened, no banner after 30 s).
   * While no camera event has moved it on, the snapshot is taken again. */
  private recheckCamera(): void {
    if (this.cameraTimer) clearTimeout(this.cameraTimer);
    this.cameraTimer = setTimeout(() => {
      this.cameraTimer = null;
      if (!this.stopped && this.model?.camera.state === "starting") void this.resnapshot();
    }, CAMERA_RECHECK_MS);
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
