// Backend types: the contract with the Rust side (crates/station, src-tauri).
// Written by hand for now; to be replaced by a ts-rs generated file with the same names and shapes.
// Keep EVERY backend type in this one file.

export type CheckId =
  | "single_face"
  | "head_top"
  | "eye_height"
  | "face_width"
  | "centered"
  | "roll"
  | "background_color"
  | "background_uniform"
  | "exposure"
  | "light_balance"
  | "sharpness"
  | "hot_spot"
  | "clothing_contrast"
  | "format"
  | "dimensions"
  | "dpi"
  | "color_depth"
  | "quality"
  | "file_size"
  | "extension"
  | "comment_seal";

/** message_zh/en: the rule and the measured value; fix_zh/en: what to do, or null. */
export type Check = {
  id: CheckId;
  pass: boolean;
  value: number | null;
  limit: string;
  message_zh: string;
  message_en: string;
  fix_zh: string | null;
  fix_en: string | null;
};

export type Point = { x: number; y: number };
export type Rect = { x: number; y: number; width: number; height: number };

/** student = masked display, e.g. "张*丰 · ****1000 · ******0001". */
export type Phase =
  | { phase: "waiting_for_code" }
  | { phase: "confirm_retake"; student: string }
  | { phase: "framing"; student: string }
  | { phase: "confirm_switch"; current: string; next: string }
  | { phase: "review"; student: string; quality: number; bytes: number; photo: number; checks: Check[] };

/** All coordinates in SOURCE frame pixels (frame is width×height). */
export type Live = {
  seq: number;
  width: number;
  height: number;
  verdict: "pass" | "fail";
  checks: Check[];
  face: Rect | null;
  eye_left: Point | null;
  eye_right: Point | null;
  head_top_y: number | null;
  face_center_x: number | null;
  crop: Rect | null;
  compliant: boolean;
};

/** online null = unknown / no intake; pace null = not enough data. */
export type QueueSummary = {
  today: number;
  pending: number;
  uploading: number;
  uploaded: number;
  failed: number;
  online: boolean | null;
  pace_per_hour: number | null;
  plan_per_hour: number;
};

export type CameraState = {
  state: "starting" | "ok" | "problem" | "ended";
  name: string;
  problem: { message_zh: string; message_en: string } | null;
};

export type Snapshot = {
  phase: Phase;
  camera: CameraState;
  queue: QueueSummary;
  station: string;
  room: string;
  language: "zh-CN" | "en";
  last_live: Live | null;
  confirm_window: boolean;
};

/** Session events, flattened. */
export type Event =
  | ({ event: "phase" } & Phase)
  | { event: "code_rejected"; message_zh: string; message_en: string }
  | ({ event: "live" } & Live)
  | { event: "shot_refused"; failing: Check[]; message_zh: string; message_en: string }
  | { event: "queued"; shot_id: string; student: string }
  | { event: "error"; code: string; message_zh: string; message_en: string };

export type StationEvent =
  | ({ kind: "session" } & Event)
  | { kind: "queue"; queue: QueueSummary }
  | { kind: "camera_problem"; message_zh: string; message_en: string }
  | { kind: "camera_ok" }
  | { kind: "camera_ended" }
  | { kind: "language"; language: "zh-CN" | "en" };

/** camera: "auto" | "demo" | "usb:N" | "video:/path.mjpeg" | "folder:/dir"; camera_mode null = automatic. */
export type Settings = {
  camera: string;
  camera_mode: string | null;
  station: string;
  room: string;
  intake_url: string;
  token: string;
  key_file: string;
  language: "zh-CN" | "en";
};

export type CameraChoice = {
  id: string;
  label: string;
  modes: string[];
  problem: { message_zh: string; message_en: string } | null;
};

/** Every rejected invoke rejects with this. */
export type AppError = { code: string; message_zh: string; message_en: string };

export type Key = "shoot" | "accept" | "retake" | "cancel" | "yes" | "no";
