// The supervisor's review as data: which rows a filter shows, how one student's shots group,
// how a slot's pace reads, what an error means to the page. No DOM here.
import type { AppError, Fee, HourCount, PaceState, ReviewShot, RowError, SlotPace } from "./backend/bindings";
import { pick, t, type Lang, type MessageKey } from "./i18n";
import type { Colour } from "./state";

/** Shown as a hint when a PIN is set. The station decides (MIN_PIN_LEN in crates/station/src/supervise.rs). */
export const PIN_MIN_DIGITS = 6;

export const FILTERS = ["all", "failed", "waiting", "uploaded", "retakes", "voided"] as const;
export type Filter = (typeof FILTERS)[number];

/** Where a shot stands, one state each: a voided shot is voided whatever its upload did. */
export type ShotState = "uploaded" | "waiting" | "failed" | "voided";

export function shotState(s: ReviewShot): ShotState {
  if (s.voided !== null) return "voided";
  if (s.upload === "uploaded") return "uploaded";
  if (s.upload === "failed") return "failed";
  return "waiting"; // pending or uploading
}

/** One table row: the shot, and its place among its student's shots (all of them, unfiltered). */
export type Row = { shot: ReviewShot; index: number; size: number; first: boolean };

/** The day's shots by student, each student's oldest first, students in order of their first shot. */
export function groupByStudent(shots: ReviewShot[]): ReviewShot[][] {
  const groups = new Map<string, ReviewShot[]>();
  for (const s of shots) {
    const g = groups.get(s.student);
    if (g) g.push(s);
    else groups.set(s.student, [s]);
  }
  return [...groups.values()];
}

function shows(filter: Filter, shot: ReviewShot, groupSize: number): boolean {
  switch (filter) {
    case "all":
      return true;
    case "retakes":
      return groupSize > 1;
    default:
      return shotState(shot) === filter;
  }
}

/** The rows a filter shows, one student's rows together. */
export function rowsFor(shots: ReviewShot[], filter: Filter): Row[] {
  const rows: Row[] = [];
  for (const g of groupByStudent(shots)) {
    let first = true;
    g.forEach((shot, i) => {
      if (!shows(filter, shot, g.length)) return;
      rows.push({ shot, index: i + 1, size: g.length, first });
      first = false;
    });
  }
  return rows;
}

/** How many rows each filter shows. */
export function filterCounts(shots: ReviewShot[]): Record<Filter, number> {
  const out = Object.fromEntries(FILTERS.map((f) => [f, 0])) as Record<Filter, number>;
  for (const g of groupByStudent(shots)) {
    for (const s of g) for (const f of FILTERS) if (shows(f, s, g.length)) out[f]++;
  }
  return out;
}

/** Students of the day, and those with more than one shot. */
export function studentCounts(shots: ReviewShot[]): { students: number; retaken: number } {
  const groups = groupByStudent(shots);
  return { students: groups.length, retaken: groups.filter((g) => g.length > 1).length };
}

export type ShotStatus = "current" | "superseded" | "voided" | "none";

export function shotStatus(s: ReviewShot): ShotStatus {
  if (s.voided !== null) return "voided";
  if (s.current) return "current";
  if (s.superseded) return "superseded";
  return "none";
}

export function statusText(lang: Lang, s: ReviewShot): string {
  const st = shotStatus(s);
  return st === "voided" ? t(lang, "status.voided", { why: s.voided ?? "" }) : t(lang, `status.${st}`);
}

const UPLOADS = ["pending", "uploading", "uploaded", "failed"];

export function uploadText(lang: Lang, upload: string): string {
  return UPLOADS.includes(upload) ? t(lang, `upload.${upload}` as MessageKey) : upload;
}

export function verdictText(lang: Lang, verdict: string): string {
  return verdict === "pass" || verdict === "fail" ? t(lang, `verdict.${verdict}`) : verdict;
}

export function feeText(lang: Lang, fee: Fee | null): string {
  return t(lang, fee === null ? "fee.unknown" : `fee.${fee}`);
}

// --- Pace ---------------------------------------------------------------------------------

/** `HH:MM` of minutes after midnight. */
export function hhmm(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

export function slotTime(sp: SlotPace): string {
  return `${hhmm(sp.slot.start)}–${hhmm(sp.slot.end)}`;
}

/** One meaning per colour: red only for behind; ahead and on plan are good; the rest is "not now". */
export const PACE_COLOURS: Record<PaceState, Colour> = {
  ahead: "green",
  on_plan: "green",
  behind: "red",
  upcoming: "grey",
  done: "grey",
};

function minutesText(lang: Lang, leadMinutes: number): string {
  const m = Math.abs(leadMinutes);
  return m < 0.5 ? t(lang, "pace.minutes_lt1") : t(lang, "pace.minutes", { m: Math.round(m) });
}

/** "落后 3 人（约 1 分钟）", "ahead by 3 (≈1 min)", "按计划", … */
export function leadText(lang: Lang, sp: SlotPace): string {
  if (sp.state === "ahead" || sp.state === "behind") {
    return t(lang, `pace.${sp.state}`, { n: Math.abs(sp.lead), minutes: minutesText(lang, sp.lead_minutes) });
  }
  return t(lang, `pace_state.${sp.state}`);
}

/** The station's slot line: "08:00–08:40 计算机学院 · 42/100 · 落后 3 人（约 1 分钟）". */
export function slotLine(lang: Lang, sp: SlotPace): string {
  const head = [slotTime(sp), sp.slot.group].filter(Boolean).join(" ");
  return `${head} · ${sp.photographed}/${sp.slot.expected} · ${leadText(lang, sp)}`;
}

/** The lead as a signed count: "+3", "−3", "0". */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "0";
}

// --- The chart by hour --------------------------------------------------------------------

export type HourBar = { hour: number; total: number; parts: Record<ShotState, number>; percent: number };

/** One bar per hour from the first to the last hour with shots (empty hours between included). */
export function hourBars(hours: HourCount[]): HourBar[] {
  if (hours.length === 0) return [];
  const by = new Map(hours.map((h) => [h.hour, h]));
  const lo = Math.min(...hours.map((h) => h.hour));
  const hi = Math.max(...hours.map((h) => h.hour));
  const bars: HourBar[] = [];
  for (let hour = lo; hour <= hi; hour++) {
    const h = by.get(hour);
    const parts = { uploaded: h?.uploaded ?? 0, waiting: h?.waiting ?? 0, failed: h?.failed ?? 0, voided: h?.voided ?? 0 };
    bars.push({ hour, total: parts.uploaded + parts.waiting + parts.failed + parts.voided, parts, percent: 0 });
  }
  const max = Math.max(1, ...bars.map((b) => b.total));
  for (const b of bars) b.percent = Math.round((b.total / max) * 100);
  return bars;
}

// --- Import, export, errors ---------------------------------------------------------------

/** "第 3 行 B 列：…" / "row 3, column B: …" */
export function rowErrorText(lang: Lang, e: RowError): string {
  const message = pick(lang, e.message_zh, e.message_en);
  return e.column ? t(lang, "import.row_col", { row: e.row, column: e.column, message }) : t(lang, "import.row", { row: e.row, message });
}

/** Where exports go unless the supervisor types another path. */
export function defaultPaths(from: string, to: string = from): { days: string; photos: string; summary: string } {
  const range = from === to ? from : `${from}_${to}`;
  return { days: `caiji-${range}.xlsx`, photos: `caiji-photos-${from}`, summary: `caiji-${from}.html` };
}

/** A calendar day written as the queue writes it, "2026-06-10" (and a day that exists:
 * not "2026-02-30"). */
export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && stepDay(s, 0) === s;
}

/** A day as typed, written as the queue writes it: full-width digits and dashes from a Chinese
 * input method made plain (NFKC), "/", "." and "。" read as "-", spaces dropped, a one-digit month or day
 * given its zero ("２０２６／６／１" → "2026-06-01"). Anything else is returned as typed. */
export function typedDay(s: string): string {
  const plain = s
    .normalize("NFKC")
    .replace(/\s+/g, "")
    .replace(/[/.。—–]/g, "-");
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(plain);
  return m ? `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}` : plain;
}

/** The day `n` days after `day` ("2026-06-10", -1 → "2026-06-09"), across months and years. */
export function stepDay(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** What the page does with a refused command, by its code (never by its text). */
export type ErrorAction = "relock" | "wait" | "show";

export function errorAction(code: string): ErrorAction {
  if (code === "locked") return "relock"; // the idle lock, or another window locked it: PIN again
  if (code === "pin_wait") return "wait"; // a countdown from review_status().wait_seconds
  return "show";
}

/** Errors the page finds itself, before asking the station. */
export function localError(code: "who" | "pin_mismatch" | "reason" | "path" | "day"): AppError {
  const key = `err.${code}` as MessageKey;
  return { code, message_zh: t("zh-CN", key), message_en: t("en", key) };
}

/** The text of an error: the countdown for a wait, else the station's (or the page's) message. */
export function errorText(lang: Lang, e: AppError, waitSeconds = 0): string {
  if (e.code === "pin_wait" && waitSeconds > 0) return t(lang, "err.pin_wait", { s: waitSeconds });
  return pick(lang, e.message_zh, e.message_en);
}
