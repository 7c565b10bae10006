import type { Key, Phase } from "./backend/bindings";

// Keyboard vs. handheld scanner. A scanner types a burst of characters ending in Enter wherever
// focus is. A burst (≥ 4 printable characters, each < 60 ms after the previous, then Enter within
// 60 ms) is a scan. A single printable key is an action only after 60 ms pass with no further
// character, so a burst that starts with 'r', 'y', 'n' or space never triggers those actions.
// Fast runs of 2+ characters that do not end in Enter are dropped (no human types that fast).

export const BURST_GAP_MS = 60;
export const MIN_SCAN_LENGTH = 4;

export type KeyName = "space" | "enter" | "escape" | "r" | "y" | "n" | "f" | "f2" | string;
export type Input = { type: "scan"; text: string } | { type: "key"; key: KeyName };

export function keyName(key: string): KeyName {
  if (key === " " || key === "Spacebar") return "space";
  if (key === "Enter") return "enter";
  if (key === "Escape" || key === "Esc") return "escape";
  if (key.length === 1) return key.toLowerCase();
  return key.toLowerCase();
}

function isPrintable(key: string): boolean {
  return [...key].length === 1;
}

export class ScanClassifier {
  private buffer = "";
  private last = -Infinity;

  /** Feeds one keydown (KeyboardEvent.key) at time `t` (ms); returns the inputs decided so far. */
  feed(key: string, t: number): Input[] {
    const out = this.tick(t);
    if (isPrintable(key)) {
      this.buffer += key;
      this.last = t;
      return out;
    }
    if (key === "Enter") {
      if ([...this.buffer].length >= MIN_SCAN_LENGTH && t - this.last < BURST_GAP_MS) {
        out.push({ type: "scan", text: this.buffer });
        this.reset();
        return out;
      }
      out.push(...this.flush());
      out.push({ type: "key", key: "enter" });
      return out;
    }
    if (key === "Shift" || key === "Control" || key === "Alt" || key === "Meta" || key === "CapsLock") {
      return out; // modifiers (scanners send Shift for capitals) do not break a burst
    }
    out.push(...this.flush());
    out.push({ type: "key", key: keyName(key) });
    return out;
  }

  /** Decides a pending buffer once `BURST_GAP_MS` have passed since its last character. */
  tick(t: number): Input[] {
    if (this.buffer && t - this.last >= BURST_GAP_MS) return this.flush();
    return [];
  }

  /** When to call `tick` next, or null when nothing is pending. */
  deadline(): number | null {
    return this.buffer ? this.last + BURST_GAP_MS : null;
  }

  pending(): boolean {
    return this.buffer.length > 0;
  }

  private flush(): Input[] {
    const chars = [...this.buffer];
    this.reset();
    if (chars.length === 1) return [{ type: "key", key: keyName(chars[0]) }];
    return [];
  }

  private reset() {
    this.buffer = "";
    this.last = -Infinity;
  }
}

export type Action = { type: "press"; key: Key } | { type: "settings" } | null;

/** What a key means in a phase (the station window). */
export function actionFor(key: KeyName, phase: Phase["phase"]): Action {
  const question = phase === "confirm_retake" || phase === "confirm_switch";
  const press = (k: Key): Action => ({ type: "press", key: k });
  switch (key) {
    case "f2":
      return { type: "settings" };
    case "space":
      return phase === "framing" ? press("shoot") : null;
    case "enter":
      return phase === "review" ? press("accept") : question ? press("yes") : null;
    case "r":
      return phase === "review" ? press("retake") : null;
    case "escape":
      if (question) return press("no");
      return phase === "framing" || phase === "review" ? press("cancel") : null;
    case "y":
      return question ? press("yes") : null;
    case "n":
      return question ? press("no") : null;
    case "f":
      // The fee of the student in front of the camera. Not while asking whether to switch:
      // the mark the station then sends belongs to the next student, and F would mark this one.
      return phase === "framing" || phase === "review" || phase === "confirm_retake" ? press("fee") : null;
    default:
      return null;
  }
}

/**
 * Ctrl+Shift+S (⌘+Shift+S on a Mac) opens the supervisor's review. A chord, not a single key:
 * a scanner never holds Ctrl (and `attachKeyboard` drops Ctrl events before the scan
 * classifier, so the chord can neither be typed by a burst nor break one), a stray key cannot
 * leave the station, and F12 would open the webview's developer tools where they are enabled.
 * Matched on the physical key so that any keyboard layout or input method gives the same chord.
 */
export function isReviewChord(e: Pick<KeyboardEvent, "key" | "code" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey">): boolean {
  const s = e.code === "KeyS" || e.key === "s" || e.key === "S";
  return s && (e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey;
}

/** The student's window: only accept/retake during review. */
export function confirmActionFor(key: KeyName, phase: Phase["phase"]): Action {
  if (phase !== "review") return null;
  if (key === "enter") return { type: "press", key: "accept" };
  if (key === "r") return { type: "press", key: "retake" };
  return null;
}
