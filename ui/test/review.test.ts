// The supervisor review's logic: filters, one student's shots together, the pace's wording,
// the chart by hour, row errors and what a refused command makes the page do.
import { describe, expect, it } from "vitest";
import {
  defaultPaths,
  errorAction,
  errorText,
  FILTERS,
  filterCounts,
  groupByStudent,
  hourBars,
  isDay,
  leadText,
  stepDay,
  localError,
  PACE_COLOURS,
  rowErrorText,
  rowsFor,
  shotState,
  signed,
  slotLine,
  statusText,
  studentCounts,
} from "../src/lib/review";
import { reviewShot, slotPace } from "./fixtures";

// One day: A once (uploaded), B twice (a failed first shot superseded by a waiting retake),
// C once voided, D once uploading, then a third shot of B, voided.
const a1 = reviewShot("A", { time: "08:01:00" });
const b1 = reviewShot("B", { time: "08:02:00", upload: "failed", upload_error: "HTTP 422", current: false, superseded: true });
const c1 = reviewShot("C", { time: "08:03:00", current: false, voided: "闭眼（王老师）", upload: "pending" });
const b2 = reviewShot("B", { time: "08:04:00", upload: "pending" });
const d1 = reviewShot("D", { time: "08:05:00", upload: "uploading" });
const b3 = reviewShot("B", { time: "08:06:00", current: false, voided: "重复", upload: "uploaded" });
const day = [a1, b1, c1, b2, d1, b3];
const ids = (rows: { shot: { id: string } }[]) => rows.map((r) => r.shot.id);

describe("one state per shot", () => {
  it("voided wins over whatever the upload did; pending and uploading are both waiting", () => {
    expect(day.map(shotState)).toEqual(["uploaded", "failed", "voided", "waiting", "waiting", "voided"]);
  });
});

describe("grouping", () => {
  it("keeps one student's shots together, students in order of their first shot", () => {
    expect(groupByStudent(day).map((g) => g.map((s) => s.id))).toEqual([[a1.id], [b1.id, b2.id, b3.id], [c1.id], [d1.id]]);
  });

  it("numbers each shot within its student's, and marks where a student starts", () => {
    const rows = rowsFor(day, "all");
    expect(ids(rows)).toEqual([a1.id, b1.id, b2.id, b3.id, c1.id, d1.id]);
    expect(rows.map((r) => `${r.index}/${r.size}${r.first ? "*" : ""}`)).toEqual(["1/1*", "1/3*", "2/3", "3/3", "1/1*", "1/1*"]);
  });

  it("a filter keeps the numbering of the whole group and starts a group at its first row shown", () => {
    const rows = rowsFor(day, "waiting");
    expect(ids(rows)).toEqual([b2.id, d1.id]);
    expect(rows.map((r) => [r.index, r.size, r.first])).toEqual([
      [2, 3, true],
      [1, 1, true],
    ]);
  });
});

describe("filters", () => {
  it("each shows its rows", () => {
    expect(ids(rowsFor(day, "failed"))).toEqual([b1.id]);
    expect(ids(rowsFor(day, "uploaded"))).toEqual([a1.id]);
    expect(ids(rowsFor(day, "voided"))).toEqual([b3.id, c1.id]);
  });

  it("retakes are every shot of the students with more than one", () => {
    expect(ids(rowsFor(day, "retakes"))).toEqual([b1.id, b2.id, b3.id]);
    expect(studentCounts(day)).toEqual({ students: 4, retaken: 1 });
  });

  it("the counts on the buttons are the rows each shows", () => {
    const n = filterCounts(day);
    for (const f of FILTERS) expect(n[f], f).toBe(rowsFor(day, f).length);
    expect(n).toEqual({ all: 6, failed: 1, waiting: 2, uploaded: 1, retakes: 3, voided: 2 });
  });

  it("an empty day shows nothing and counts zero", () => {
    expect(rowsFor([], "all")).toEqual([]);
    expect(filterCounts([]).all).toBe(0);
  });

  it("names the status: current, superseded, voided with its reason", () => {
    expect(statusText("zh-CN", a1)).toBe("当前");
    expect(statusText("en", b1)).toBe("superseded");
    expect(statusText("zh-CN", c1)).toBe("已作废：闭眼（王老师）");
  });
});

describe("the slot line", () => {
  it("reads behind as the station shows it, in both languages", () => {
    const sp = slotPace({ photographed: 42, lead: -3, lead_minutes: -1.2, state: "behind" });
    expect(slotLine("zh-CN", sp)).toBe("08:00–08:40 计算机学院 · 42/100 · 落后 3 人（约 1 分钟）");
    expect(slotLine("en", sp)).toBe("08:00–08:40 计算机学院 · 42/100 · behind by 3 (≈1 min)");
  });

  it("reads ahead with a positive lead", () => {
    const sp = slotPace({ lead: 3, lead_minutes: 1.2, state: "ahead" });
    expect(leadText("en", sp)).toBe("ahead by 3 (≈1 min)");
    expect(leadText("zh-CN", sp)).toBe("领先 3 人（约 1 分钟）");
  });

  it("says less than a minute rather than ≈0", () => {
    expect(leadText("en", slotPace({ lead: -1, lead_minutes: -0.4 }))).toBe("behind by 1 (<1 min)");
    expect(leadText("zh-CN", slotPace({ lead: -1, lead_minutes: -0.4 }))).toBe("落后 1 人（不到 1 分钟）");
    expect(leadText("en", slotPace({ lead: -10, lead_minutes: -4 }))).toBe("behind by 10 (≈4 min)");
  });

  it("names the other states without numbers", () => {
    expect(leadText("zh-CN", slotPace({ state: "on_plan", lead: 1 }))).toBe("按计划");
    expect(leadText("en", slotPace({ state: "upcoming", lead: 0 }))).toBe("upcoming");
    expect(slotLine("en", slotPace({ state: "done", photographed: 100 }))).toBe("08:00–08:40 计算机学院 · 100/100 · done");
  });

  it("pads the times and leaves out an empty group", () => {
    expect(slotLine("en", slotPace({ state: "on_plan" }, { start: 13 * 60 + 5, end: 13 * 60 + 45, group: "" }))).toBe("13:05–13:45 · 42/100 · on plan");
  });

  it("is red only when behind", () => {
    expect(Object.entries(PACE_COLOURS).filter(([, c]) => c === "red").map(([k]) => k)).toEqual(["behind"]);
    expect(PACE_COLOURS.ahead).toBe("green");
    expect(PACE_COLOURS.upcoming).toBe("grey");
  });

  it("signs the lead with a real minus", () => {
    expect([signed(3), signed(-3), signed(0)]).toEqual(["+3", "−3", "0"]);
  });
});

describe("the chart by hour", () => {
  it("has a bar for every hour between the first and the last, the tallest at 100%", () => {
    const bars = hourBars([
      { hour: 8, uploaded: 30, waiting: 5, failed: 1, voided: 4 },
      { hour: 10, uploaded: 10, waiting: 0, failed: 0, voided: 0 },
    ]);
    expect(bars.map((b) => [b.hour, b.total, b.percent])).toEqual([
      [8, 40, 100],
      [9, 0, 0],
      [10, 10, 25],
    ]);
    expect(bars[0].parts).toEqual({ uploaded: 30, waiting: 5, failed: 1, voided: 4 });
  });

  it("is empty for a day without shots", () => {
    expect(hourBars([])).toEqual([]);
  });
});

describe("import and export", () => {
  it("names a bad row and its cell", () => {
    const e = { row: 7, column: "C", message_zh: "结束早于开始", message_en: "ends before it starts" };
    expect(rowErrorText("zh-CN", e)).toBe("第 7 行 C 列：结束早于开始");
    expect(rowErrorText("en", e)).toBe("row 7, column C: ends before it starts");
    expect(rowErrorText("zh-CN", { ...e, column: null })).toBe("第 7 行：结束早于开始");
  });

  it("proposes file names from the day", () => {
    expect(defaultPaths("2026-06-10")).toEqual({ days: "caiji-2026-06-10.xlsx", photos: "caiji-photos-2026-06-10", summary: "caiji-2026-06-10.html" });
    expect(defaultPaths("2026-06-10", "2026-06-12").days).toBe("caiji-2026-06-10_2026-06-12.xlsx");
  });
});

describe("a refused command", () => {
  it("is handled by its code, never its text", () => {
    expect(errorAction("locked")).toBe("relock");
    expect(errorAction("pin_wait")).toBe("wait");
    for (const code of ["pin_wrong", "pin_weak", "who", "no_read_scope", "store", "export"]) expect(errorAction(code), code).toBe("show");
  });

  it("shows the station's message in the page's language", () => {
    const e = { code: "no_read_scope", message_zh: "本站令牌没有查看各考场的权限", message_en: "this station's token may not read every room" };
    expect(errorText("zh-CN", e)).toBe("本站令牌没有查看各考场的权限");
    expect(errorText("en", e)).toBe("this station's token may not read every room");
  });

  it("counts a wait down in its own words", () => {
    const e = { code: "pin_wait", message_zh: "请 30 秒后再试", message_en: "try again in 30 s" };
    expect(errorText("zh-CN", e, 12)).toBe("PIN 错误次数过多，请 12 秒后再试");
    expect(errorText("en", e, 0)).toBe("try again in 30 s");
  });

  it("the page's own checks carry both languages", () => {
    expect(localError("reason")).toEqual({ code: "reason", message_zh: "请填写原因", message_en: "give a reason" });
    expect(localError("pin_mismatch").message_zh).toBe("两次输入的 PIN 不一致");
  });
});

describe("days", () => {
  it("step across months and years, and only real days written as the queue writes them are days", () => {
    expect(stepDay("2026-06-10", -1)).toBe("2026-06-09");
    expect(stepDay("2026-02-28", 1)).toBe("2026-03-01");
    expect(stepDay("2024-02-28", 1)).toBe("2024-02-29");
    expect(stepDay("2026-12-31", 1)).toBe("2027-01-01");
    expect(stepDay("2027-01-01", -1)).toBe("2026-12-31");
    expect(["2026-06-10", "2024-02-29"].map(isDay)).toEqual([true, true]);
    expect(["2026-02-29", "2026-13-01", "2026-6-10", "06/10/2026", ""].map(isDay)).toEqual([false, false, false, false, false]);
  });
});
