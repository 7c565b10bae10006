// Numbers as the screens show them.
import type { CheckId } from "./backend/bindings";

/** A measured value: integers as they are, others to one decimal; nothing for none. A value
 * that rounds to zero reads "0.0", never "-0.0". */
export function formatValue(v: number | null): string {
  if (v === null) return "";
  // Shares under 1 (teeth 0.052, a hat 0.63, eyes 0.36) keep two significant digits: to a
  // tenth, a failing 0.052 would read "0.0". Negative values and values of 1 or more stay to
  // a tenth (a positive offset under 1 px reads to two digits too: "0.04").
  const s = Number.isInteger(v) ? String(v) : v > 0 && v < 1 ? Number(v.toPrecision(2)).toString() : v.toFixed(1);
  return s === "-0.0" ? "0.0" : s;
}

/** The unit of a rule's measured value, where it has one a person reads: the photo's pixels
 * (480×640) for the bands and the centring, degrees for tilts. Shares, scores and counts have
 * none; the pose rule's value is a turn or an eye offset, so it has none either. */
export const UNITS: Partial<Record<CheckId, string>> = {
  head_top: "px",
  eye_height: "px",
  face_width: "px",
  centered: "px",
  dimensions: "px",
  roll: "°",
  shoulders_level: "°",
  dpi: "dpi",
};

/** Rules whose value reads in whole numbers when it passes, as their messages write it: the
 * photo's pixels (the bands' "头顶距上边缘 50–110 像素：158", the centring's "偏离中线 1 像素")
 * and the JPEG quality ("压缩质量约 87"). A tenth of a photo pixel is not something a person can
 * see, except where it is what fails: a head top of 110.4 against 50–110 reads "110.4 px". */
const WHOLE: ReadonlySet<CheckId> = new Set<CheckId>(["head_top", "eye_height", "face_width", "centered", "dimensions", "quality"]);

/** A rule's measured value with its unit ("158 px", "20.8°"); "" when it has no value. `pass`:
 * whether the rule passed (a failing value keeps its tenth). */
export function formatMeasure(id: CheckId, v: number | null, pass = true): string {
  if (v === null) return "";
  const unit = UNITS[id];
  // Halves away from zero, as the centring's message rounds; never "-0".
  const s = pass && WHOLE.has(id) ? String(Math.sign(v) * Math.round(Math.abs(v)) + 0) : formatValue(v);
  return unit === undefined ? s : unit === "°" ? `${s}°` : `${s} ${unit}`;
}

/** A file size in KB as the standard counts them (1 KB = 1000 bytes: the 20–40 KB window is
 * 20 000–40 000 bytes in `crates/spec`), to a tenth, as the validator's own message writes it. */
export function formatKb(bytes: number): string {
  return (bytes / 1000).toFixed(1);
}

/** A moment as the queue records it: HH:MM in China Standard Time (UTC+8, whatever the
 * machine's zone), as `caiji_store::time_of` writes every shot's time in the review. */
export function clock(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}
