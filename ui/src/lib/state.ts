// The page's model: the last snapshot with the events applied, and what the state display shows.
import type { CameraState, Check, Fee, Live, Phase, QueueSummary, Snapshot, StationEvent } from "./backend/bindings";
import { t, type Lang, type MessageKey } from "./i18n";
import type { Sound } from "./sound";

export const SAVED_MS = 1200;
export const REFUSED_MS = 1500;
export const TOAST_MS = 6000;

export type Toast =
  | { kind: "rejected"; message_zh: string; message_en: string; until: number }
  | { kind: "refused"; message_zh: string; message_en: string; failing: Check[]; until: number }
  | { kind: "error"; code: string; message_zh: string; message_en: string; until: number };

export type Model = {
  phase: Phase;
  camera: CameraState;
  queue: QueueSummary;
  station: string;
  room: string;
  language: Lang;
  live: Live | null;
  confirmWindow: boolean;
  savedUntil: number;
  savedStudent: string | null;
  refusedUntil: number;
  toast: Toast | null;
  /** The fee mark and the (masked) student it belongs to; `student` null: the one being begun. */
  fee: FeeMark | null;
};

export type FeeMark = { fee: Fee; student: string | null };

export function fromSnapshot(s: Snapshot): Model {
  return {
    phase: s.phase,
    camera: s.camera,
    queue: s.queue,
    station: s.station,
    room: s.room,
    language: s.language,
    live: s.last_live,
    confirmWindow: s.confirm_window,
    savedUntil: 0,
    savedStudent: null,
    refusedUntil: 0,
    toast: null,
    fee: s.fee === null ? null : { fee: s.fee, student: studentOf(s.phase) },
  };
}

/**
 * Whose fee a "fee" event is. The station sends one when a code is taken, before the phase
 * that names the student (so while "waiting" it is the next one's, and while asking whether to
 * switch it is the next student's), and one for every F (never asked while switching).
 */
function feeOwner(phase: Phase): string | null {
  return phase.phase === "confirm_switch" ? phase.next : studentOf(phase);
}

/** The fee mark once the phase becomes `phase`: bound to its student, or gone with them. */
export function feeAfter(fee: FeeMark | null, phase: Phase): FeeMark | null {
  if (!fee || phase.phase === "waiting_for_code") return null;
  if (phase.phase === "confirm_switch") return fee; // still the current student's (or the next's, pending)
  const student = studentOf(phase);
  if (fee.student === null) return { ...fee, student };
  return fee.student === student ? fee : null;
}

/** The fee mark shown now, if any. */
export function feeOf(m: Model): Fee | null {
  if (!m.fee || m.phase.phase === "waiting_for_code") return null;
  const shown = m.phase.phase === "confirm_switch" ? m.phase.current : studentOf(m.phase);
  return m.fee.student === shown ? m.fee.fee : null;
}

function stripTag<T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> {
  const copy = { ...o };
  delete copy[key];
  return copy;
}

/** Applies one station event at time `now`; returns the new model and the sounds to play. */
export function reduce(m: Model, ev: StationEvent, now: number): { model: Model; sounds: Sound[] } {
  const sounds: Sound[] = [];
  let next: Model = m;
  switch (ev.kind) {
    case "session": {
      switch (ev.event) {
        case "phase": {
          const phase = stripTag(stripTag(ev, "kind"), "event") as Phase;
          // A code taken: the session leaves "waiting", or asks whether to switch students.
          const scanned =
            (m.phase.phase === "waiting_for_code" && phase.phase !== "waiting_for_code") ||
            (phase.phase === "confirm_switch" && m.phase.phase !== "confirm_switch");
          if (scanned) sounds.push("scan");
          const keepToast = m.toast && phase.phase === m.phase.phase ? m.toast : null;
          // A verdict belongs to the framing it was measured in: a new student (or a retake, or
          // the way back from a question) starts without one, so nothing old reads as current.
          const live = m.phase.phase === "framing" && phase.phase === "framing" ? m.live : null;
          next = {
            ...m,
            phase,
            live,
            toast: keepToast,
            refusedUntil: phase.phase === "framing" ? m.refusedUntil : 0,
            fee: feeAfter(m.fee, phase),
          };
          break;
        }
        case "fee":
          next = { ...m, fee: { fee: ev.fee, student: feeOwner(m.phase) } };
          break;
        case "live": {
          const live = stripTag(stripTag(ev, "kind"), "event") as Live;
          // A refusal's card goes for good once the header has turned from red and the frame
          // is ready: red rules under a green "ready" would contradict it.
          const over = m.toast?.kind === "refused" && m.phase.phase === "framing" && now >= m.refusedUntil && m.camera.state === "ok" && isReady(live);
          next = { ...m, live, toast: over ? null : m.toast };
          break;
        }
        case "code_rejected":
          sounds.push("refused");
          next = {
            ...m,
            toast: { kind: "rejected", message_zh: ev.message_zh, message_en: ev.message_en, until: now + TOAST_MS },
          };
          break;
        case "shot_refused":
          sounds.push("refused");
          next = {
            ...m,
            refusedUntil: now + REFUSED_MS,
            toast: {
              kind: "refused",
              message_zh: ev.message_zh,
              message_en: ev.message_en,
              failing: ev.failing,
              until: now + TOAST_MS,
            },
          };
          break;
        case "queued":
          sounds.push("saved");
          next = { ...m, savedUntil: now + SAVED_MS, savedStudent: ev.student, toast: null };
          break;
        case "error":
          sounds.push("refused");
          next = {
            ...m,
            toast: { kind: "error", code: ev.code, message_zh: ev.message_zh, message_en: ev.message_en, until: now + TOAST_MS },
          };
          break;
      }
      break;
    }
    case "queue":
      next = { ...m, queue: ev.queue };
      break;
    case "camera_problem":
      next = { ...m, camera: { ...m.camera, state: "problem", problem: { message_zh: ev.message_zh, message_en: ev.message_en } } };
      break;
    case "camera_ok":
      next = { ...m, camera: { ...m.camera, state: "ok", problem: null } };
      break;
    case "camera_ended":
      next = { ...m, camera: { ...m.camera, state: "ended", problem: null } };
      break;
    case "language":
      next = { ...m, language: ev.language };
      break;
    case "confirm_window":
      next = { ...m, confirmWindow: ev.open };
      break;
    case "restarted":
      // The page takes a new snapshot (Session does); nothing to apply here.
      break;
  }
  return { model: next, sounds };
}

export type StateKey = "waiting" | "adjust" | "no_picture" | "ready" | "review" | "saved" | "question" | "refused";
export type Colour = "grey" | "amber" | "green" | "blue" | "red";

export const COLOURS: Record<StateKey, Colour> = {
  waiting: "grey",
  adjust: "amber",
  no_picture: "amber",
  ready: "green",
  review: "blue",
  saved: "green",
  question: "blue",
  refused: "red",
};

export type StateDisplay = { key: StateKey; colour: Colour; className: string; label: string; secondary: string };

/** Ready = the newest live verdict passes with a compliant crop. */
export function isReady(live: Live | null): boolean {
  return !!live && live.verdict === "pass" && live.compliant && live.crop !== null;
}

export function stateKey(phase: Phase, live: Live | null, savedUntil: number, refusedUntil: number, now: number, cameraOk = true): StateKey {
  switch (phase.phase) {
    case "waiting_for_code":
      return now < savedUntil ? "saved" : "waiting";
    case "framing":
      if (now < refusedUntil) return "refused";
      // No picture (starting, unplugged, unreadable, ended): say so, not "adjust" (the student
      // can do nothing about it), and never "ready" on a verdict from before. The preview says
      // 相机启动中 while the camera starts, the banner why it gives no picture otherwise.
      if (!cameraOk) return "no_picture";
      return isReady(live) ? "ready" : "adjust";
    case "review":
      return "review";
    case "confirm_retake":
    case "confirm_switch":
      return "question";
  }
}

export function stateDisplay(key: StateKey, lang: Lang): StateDisplay {
  const msg = `state.${key}` as MessageKey;
  const other: Lang = lang === "en" ? "zh-CN" : "en";
  const colour = COLOURS[key];
  return { key, colour, className: `c-${colour}`, label: t(lang, msg), secondary: t(other, msg) };
}

export function displayFor(m: Model, now: number): StateDisplay {
  return stateDisplay(stateKey(m.phase, m.live, m.savedUntil, m.refusedUntil, now, m.camera.state === "ok"), m.language);
}

/** The masked student the screen names, if any. */
export function studentOf(phase: Phase): string | null {
  switch (phase.phase) {
    case "waiting_for_code":
      return null;
    case "confirm_switch":
      return phase.current;
    default:
      return phase.student;
  }
}

/** The next moment the display changes by itself (saved/refused/toast expiry), or null. */
export function nextExpiry(m: Model, now: number): number | null {
  const times = [m.savedUntil, m.refusedUntil, m.toast?.until ?? 0].filter((x) => x > now);
  return times.length ? Math.min(...times) : null;
}
