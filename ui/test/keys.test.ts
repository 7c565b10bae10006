import { describe, expect, it } from "vitest";
import { actionFor, confirmActionFor, isReviewChord, ScanClassifier, type Input } from "../src/lib/keys";

/** Feeds (key, time) pairs, then ticks at `end`; returns every input. */
function run(seq: [string, number][], end?: number): Input[] {
  const c = new ScanClassifier();
  const out: Input[] = [];
  for (const [k, t] of seq) out.push(...c.feed(k, t));
  const last = seq.length ? seq[seq.length - 1][1] : 0;
  out.push(...c.tick(end ?? last + 1000));
  return out;
}

function burst(text: string, start: number, gap = 15): [string, number][] {
  const keys: [string, number][] = [...text].map((ch, i) => [ch, start + i * gap]);
  keys.push(["Enter", start + text.length * gap]);
  return keys;
}

describe("ScanClassifier", () => {
  it("a fast burst ending in Enter is a scan", () => {
    expect(run(burst("CJ2026-0001-ABCD", 1000))).toEqual([{ type: "scan", text: "CJ2026-0001-ABCD" }]);
  });

  it("a burst starting with r, y, n or space triggers no action", () => {
    for (const text of ["r1234567", "y9ab", "n000111", " 12345"]) {
      expect(run(burst(text, 500))).toEqual([{ type: "scan", text }]);
    }
  });

  it("a single key becomes an action only after the burst gap", () => {
    const c = new ScanClassifier();
    expect(c.feed("r", 100)).toEqual([]);
    expect(c.deadline()).toBe(160);
    expect(c.tick(159)).toEqual([]);
    expect(c.tick(160)).toEqual([{ type: "key", key: "r" }]);
    expect(c.pending()).toBe(false);
  });

  it("space is a key action when typed alone", () => {
    expect(run([[" ", 0]])).toEqual([{ type: "key", key: "space" }]);
  });

  it("slow typing of a code is single key actions, not a scan", () => {
    expect(run([["a", 0], ["b", 200], ["c", 400], ["d", 600], ["Enter", 800]])).toEqual([
      { type: "key", key: "a" },
      { type: "key", key: "b" },
      { type: "key", key: "c" },
      { type: "key", key: "d" },
      { type: "key", key: "enter" },
    ]);
  });

  it("fewer than 4 fast characters then Enter is no scan; Enter stays an action", () => {
    expect(run([["a", 0], ["b", 10], ["c", 20], ["Enter", 30]])).toEqual([{ type: "key", key: "enter" }]);
  });

  it("a gap of 60 ms or more breaks the burst", () => {
    const out = run([["1", 0], ["2", 10], ["3", 20], ["4", 30], ["Enter", 90]]);
    expect(out).toEqual([{ type: "key", key: "enter" }]);
    const slowFirst = run([["y", 0], ["1", 60], ["2", 70], ["3", 80], ["4", 90], ["Enter", 100]]);
    expect(slowFirst).toEqual([{ type: "key", key: "y" }, { type: "scan", text: "1234" }]);
  });

  it("a lone Enter is an action at once", () => {
    const c = new ScanClassifier();
    expect(c.feed("Enter", 5)).toEqual([{ type: "key", key: "enter" }]);
  });

  it("Escape and F2 are immediate; Shift does not break a burst", () => {
    expect(run([["Escape", 0]])).toEqual([{ type: "key", key: "escape" }]);
    expect(run([["F2", 0]])).toEqual([{ type: "key", key: "f2" }]);
    expect(run([["Shift", 0], ["A", 5], ["Shift", 10], ["B", 15], ["c", 25], ["d", 35], ["Enter", 45]])).toEqual([
      { type: "scan", text: "ABcd" },
    ]);
  });

  it("two scans in a row are two scans", () => {
    expect(run([...burst("AAAA1", 0), ...burst("BBBB2", 2000)])).toEqual([
      { type: "scan", text: "AAAA1" },
      { type: "scan", text: "BBBB2" },
    ]);
  });
});

describe("actionFor", () => {
  it("maps keys by phase", () => {
    expect(actionFor("space", "framing")).toEqual({ type: "press", key: "shoot" });
    expect(actionFor("space", "waiting_for_code")).toBeNull();
    expect(actionFor("space", "review")).toBeNull();
    expect(actionFor("enter", "review")).toEqual({ type: "press", key: "accept" });
    expect(actionFor("enter", "confirm_retake")).toEqual({ type: "press", key: "yes" });
    expect(actionFor("enter", "framing")).toBeNull();
    expect(actionFor("r", "review")).toEqual({ type: "press", key: "retake" });
    expect(actionFor("escape", "review")).toEqual({ type: "press", key: "cancel" });
    expect(actionFor("escape", "confirm_switch")).toEqual({ type: "press", key: "no" });
    expect(actionFor("escape", "waiting_for_code")).toBeNull();
    expect(actionFor("y", "confirm_switch")).toEqual({ type: "press", key: "yes" });
    expect(actionFor("n", "confirm_retake")).toEqual({ type: "press", key: "no" });
    expect(actionFor("y", "framing")).toBeNull();
    expect(actionFor("f2", "framing")).toEqual({ type: "settings" });
  });

  it("the student's window only accepts or retakes during review", () => {
    expect(confirmActionFor("enter", "review")).toEqual({ type: "press", key: "accept" });
    expect(confirmActionFor("r", "review")).toEqual({ type: "press", key: "retake" });
    expect(confirmActionFor("enter", "framing")).toBeNull();
    expect(confirmActionFor("space", "review")).toBeNull();
  });
});

describe("F: the fee", () => {
  it("sends press(fee) while a student is in front of the camera", () => {
    for (const phase of ["framing", "review", "confirm_retake"] as const) expect(actionFor("f", phase), phase).toEqual({ type: "press", key: "fee" });
  });

  it("does nothing without a student, or while asking whether to switch to the next one", () => {
    expect(actionFor("f", "waiting_for_code")).toBeNull();
    expect(actionFor("f", "confirm_switch")).toBeNull();
  });

  it("is a single key: a scanned code starting with F stays a scan", () => {
    expect(run(burst("F2026-0001", 0))).toEqual([{ type: "scan", text: "F2026-0001" }]);
    expect(run([["F", 0]])).toEqual([{ type: "key", key: "f" }]);
  });

  it("the student's window never sends it", () => {
    expect(confirmActionFor("f", "review")).toBeNull();
  });
});

describe("Ctrl+Shift+S opens the review", () => {
  const ev = (over: Partial<KeyboardEvent>) => ({ key: "S", code: "KeyS", ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...over });

  it("is the chord, with Ctrl or ⌘", () => {
    expect(isReviewChord(ev({ ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(isReviewChord(ev({ metaKey: true, shiftKey: true }))).toBe(true);
    // Another layout or an input method: the physical key counts.
    expect(isReviewChord(ev({ key: "Process", ctrlKey: true, shiftKey: true }))).toBe(true);
  });

  it("is not S, Shift+S (a scanner's capital S), Ctrl+S or Ctrl+Alt+Shift+S", () => {
    expect(isReviewChord(ev({ key: "s" }))).toBe(false);
    expect(isReviewChord(ev({ shiftKey: true }))).toBe(false);
    expect(isReviewChord(ev({ ctrlKey: true }))).toBe(false);
    expect(isReviewChord(ev({ ctrlKey: true, shiftKey: true, altKey: true }))).toBe(false);
    expect(isReviewChord(ev({ key: "F12", code: "F12" }))).toBe(false);
  });
});
