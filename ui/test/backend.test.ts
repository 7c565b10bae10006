// The Tauri side of the page, through Tauri's own IPC mock: command names, argument names and
// errors as the Rust commands define them ({code, message_zh, message_en}).
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { parsePreviewHeaders, protocolBase, tauriBackend } from "../src/lib/backend/tauri";
import { asAppError } from "../src/lib/session";
import { snapshot } from "./fixtures";

afterEach(() => clearMocks());

describe("the commands", () => {
  it("reach Rust under their names with their argument names", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "snapshot") return snapshot({ station: "A1" });
      return null;
    });
    const b = tauriBackend();
    expect((await b.snapshot()).station).toBe("A1");
    await b.press("shoot");
    await b.scan("CJ1|demo");
    await b.setLanguage("en");
    expect(calls).toEqual([
      ["snapshot", {}],
      ["press", { key: "shoot" }],
      ["scan", { text: "CJ1|demo" }],
      ["set_language", { language: "en" }],
    ]);
  });

  it("the review's commands reach Rust under their names with their argument names", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return null;
    });
    const b = tauriBackend();
    await b.reviewStatus();
    await b.setPin("王老师", "123456");
    await b.unlock("王老师", "123456");
    await b.lockReview();
    await b.reviewDay(null);
    await b.reviewDay("2026-06-10");
    await b.reviewShot("S1");
    await b.retryUpload("S1", "网络恢复");
    await b.markRetake("S1", "闭眼");
    await b.voidShot("S1", "拍错人");
    await b.importTimetable("/tmp/t.xlsx");
    await b.exportDays("2026-06-10", "2026-06-11", "out.xlsx");
    await b.exportPhotos("2026-06-10", ["S1"], "/tmp/p", "student_no");
    await b.exportSummary("2026-06-10", "s.html");
    await b.allRooms(null);
    expect(calls).toEqual([
      ["review_status", {}],
      ["set_pin", { who: "王老师", pin: "123456" }],
      ["unlock", { who: "王老师", pin: "123456" }],
      ["lock_review", {}],
      ["review_day", { day: null }],
      ["review_day", { day: "2026-06-10" }],
      ["review_shot", { id: "S1" }],
      ["retry_upload", { id: "S1", why: "网络恢复" }],
      ["mark_retake", { id: "S1", why: "闭眼" }],
      ["void_shot", { id: "S1", why: "拍错人" }],
      ["import_timetable", { path: "/tmp/t.xlsx" }],
      ["export_days", { from: "2026-06-10", to: "2026-06-11", out: "out.xlsx" }],
      ["export_photos", { day: "2026-06-10", ids: ["S1"], dir: "/tmp/p", naming: "student_no" }],
      ["export_summary", { day: "2026-06-10", out: "s.html" }],
      ["all_rooms", { day: null }],
    ]);
  });

  it("a locked review answers with code locked", async () => {
    mockIPC(() => {
      throw { code: "locked", message_zh: "审核已锁定，请输入主管 PIN", message_en: "the review is locked: enter the supervisor PIN" };
    });
    const err = await tauriBackend()
      .reviewDay(null)
      .then(() => null, (e) => asAppError(e));
    expect(err?.code).toBe("locked");
  });

  it("a refused command carries its code and both languages", async () => {
    mockIPC(() => {
      throw { code: "not_running", message_zh: "采集站未运行", message_en: "the station is not running" };
    });
    const err = await tauriBackend().press("accept").catch((e) => asAppError(e));
    expect(err).toEqual({ code: "not_running", message_zh: "采集站未运行", message_en: "the station is not running" });
  });

  it("a plain error still reads as one", () => {
    expect(asAppError(new Error("boom"))).toEqual({ code: "error", message_zh: "boom", message_en: "boom" });
  });
});

describe("the frame protocol", () => {
  it("is caiji:// on Linux and http://caiji.localhost on Windows", () => {
    expect(protocolBase("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit")).toBe("caiji://localhost/");
    expect(protocolBase("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")).toBe("http://caiji.localhost/");
  });

  it("serves a shot's thumbnail and whole photo by id", () => {
    const b = tauriBackend();
    expect(b.shotUrl("01HZX", 160)).toMatch(/^(caiji:\/\/localhost|http:\/\/caiji\.localhost)\/shot\/01HZX\?w=160$/);
    expect(b.shotUrl("01HZX", 0)).toMatch(/\/shot\/01HZX\?w=0$/);
  });

  it("names the source frame in its headers", () => {
    const h = new Headers({ "x-seq": "42", "x-width": "1920", "x-height": "1080" });
    expect(parsePreviewHeaders(h)).toEqual({ seq: 42, width: 1920, height: 1080 });
    expect(parsePreviewHeaders(new Headers({ "x-seq": "1" }))).toBeNull();
  });
});
