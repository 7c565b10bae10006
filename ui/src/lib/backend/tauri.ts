// Backend access: Tauri invoke/listen and the caiji:// protocol, behind a small interface
// so tests (and a browser without Tauri) can substitute it.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  CameraChoice,
  Key,
  Naming,
  ReviewDay,
  ReviewStatus,
  RoomPace,
  Settings,
  ShotDetail,
  Snapshot,
  StationEvent,
  TimetableImport,
} from "./bindings";

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

  // The supervisor's review. Every call but the first four rejects with code "locked" until
  // the PIN opened it (and again after the station's idle lock).
  reviewStatus(): Promise<ReviewStatus>;
  /** First use: sets the PIN (the station decides how long it must be) and opens the review. */
  setPin(who: string, pin: string): Promise<ReviewStatus>;
  unlock(who: string, pin: string): Promise<ReviewStatus>;
  lockReview(): Promise<ReviewStatus>;
  /** A day's shots, pace and chart; `null`: today (China Standard Time, as the station counts). */
  reviewDay(day: string | null): Promise<ReviewDay>;
  reviewShot(id: string): Promise<ShotDetail>;
  /** Puts a failed upload back in the queue; false when it had not failed. */
  retryUpload(id: string, why: string): Promise<boolean>;
  markRetake(id: string, why: string): Promise<void>;
  /** False when it was voided already. */
  voidShot(id: string, why: string): Promise<boolean>;
  importTimetable(path: string): Promise<TimetableImport>;
  /** Writes the days as `.xlsx` or `.csv` (by `out`'s extension); the files written. */
  exportDays(from: string, to: string, out: string): Promise<string[]>;
  /** Copies photos (`ids`, or every current photo of `day` when empty) to `dir`; how many. */
  exportPhotos(day: string, ids: string[], dir: string, naming: Naming): Promise<number>;
  /** The printable summary (HTML) of `day`. */
  exportSummary(day: string, out: string): Promise<void>;
  /** Every room's pace from the collector (code "no_read_scope" when its token may not read). */
  allRooms(day: string | null): Promise<RoomPace[]>;
  /** A shot's photo: `width` 160 for a thumbnail, 0 for the whole photo (404 while locked). */
  shotUrl(id: string, width: number): string;
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
    reviewStatus: () => invoke<ReviewStatus>("review_status"),
    setPin: (who, pin) => invoke<ReviewStatus>("set_pin", { who, pin }),
    unlock: (who, pin) => invoke<ReviewStatus>("unlock", { who, pin }),
    lockReview: () => invoke<ReviewStatus>("lock_review"),
    reviewDay: (day) => invoke<ReviewDay>("review_day", { day }),
    reviewShot: (id) => invoke<ShotDetail>("review_shot", { id }),
    retryUpload: (id, why) => invoke<boolean>("retry_upload", { id, why }),
    markRetake: (id, why) => invoke<void>("mark_retake", { id, why }),
    voidShot: (id, why) => invoke<boolean>("void_shot", { id, why }),
    importTimetable: (path) => invoke<TimetableImport>("import_timetable", { path }),
    exportDays: (from, to, out) => invoke<string[]>("export_days", { from, to, out }),
    exportPhotos: (day, ids, dir, naming) => invoke<number>("export_photos", { day, ids, dir, naming }),
    exportSummary: (day, out) => invoke<void>("export_summary", { day, out }),
    allRooms: (day) => invoke<RoomPace[]>("all_rooms", { day }),
    shotUrl: (id, width) => `${base}shot/${encodeURIComponent(id)}?w=${width}`,
  };
}
