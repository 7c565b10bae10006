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

  it("names the source frame in its headers", () => {
    const h = new Headers({ "x-seq": "42", "x-width": "1920", "x-height": "1080" });
    expect(parsePreviewHeaders(h)).toEqual({ seq: 42, width: 1920, height: 1080 });
    expect(parsePreviewHeaders(new Headers({ "x-seq": "1" }))).toBeNull();
  });
});
