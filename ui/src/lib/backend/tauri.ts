// Backend access: Tauri invoke/listen and the caiji:// protocol, behind a small interface
// so tests (and a browser without Tauri) can substitute it.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { CameraChoice, Key, Settings, Snapshot, StationEvent } from "./bindings";

type Language = Snapshot["language"];

export type PreviewFrame = { seq: number; width: number; height: number; blob: Blob };

export interface Backend {
  snapshot(): Promise<Snapshot>;
  press(key: Key): Promise<void>;
  scan(text: string): Promise<void>;
  settings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<Settings>;
  cameras(): Promise<CameraChoice[]>;
  openConfirmWindow(): Promise<void>;
  setLanguage(language: Language): Promise<void>;
  /** Subscribes to the "station" event; resolves to an unsubscribe function. */
  onEvent(handler: (event: StationEvent) => void): Promise<() => void>;
  /** Next preview frame newer than `after`, or null (204: nothing new within a second). */
  preview(after: number, signal?: AbortSignal): Promise<PreviewFrame | null>;
  /** URL of the exact JPEG the student confirms. */
  reviewUrl(photo: number): string;
}

/** Base URL of the app's custom protocol: `caiji://localhost/` (Linux, macOS), `http://caiji.localhost/` (Windows). */
export function protocolBase(userAgent: string = typeof navigator === "undefined" ? "" : navigator.userAgent): string {
  return /Windows/i.test(userAgent) ? "http://caiji.localhost/" : "caiji://localhost/";
}

export function parsePreviewHeaders(headers: Headers): { seq: number; width: number; height: number } | null {
  const seq = Number(headers.get("x-seq"));
  const width = Number(headers.get("x-width"));
  const height = Number(headers.get("x-height"));
  if (!Number.isFinite(seq) || !(width > 0) || !(height > 0)) return null;
  return { seq, width, height };
}

export function tauriBackend(): Backend {
  const base = protocolBase();
  return {
    snapshot: () => invoke<Snapshot>("snapshot"),
    press: (key) => invoke<void>("press", { key }),
    scan: (text) => invoke<void>("scan", { text }),
    settings: () => invoke<Settings>("settings"),
    saveSettings: (settings) => invoke<Settings>("save_settings", { settings }),
    cameras: () => invoke<CameraChoice[]>("cameras"),
    openConfirmWindow: () => invoke<void>("open_confirm_window"),
    setLanguage: (language) => invoke<void>("set_language", { language }),
    onEvent: (handler) => listen<StationEvent>("station", (e) => handler(e.payload)),
    async preview(after, signal) {
      const res = await fetch(`${base}preview?after=${after}`, { signal, cache: "no-store" });
      if (res.status === 204) return null;
      if (!res.ok) throw new Error(`preview: HTTP ${res.status}`);
      const meta = parsePreviewHeaders(res.headers);
      if (!meta) throw new Error("preview: missing x-seq/x-width/x-height");
      return { ...meta, blob: await res.blob() };
    },
    reviewUrl: (photo) => `${base}review/${photo}`,
  };
}
