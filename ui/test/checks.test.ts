import { describe, expect, it } from "vitest";
import { clock, formatKb, formatMeasure, formatValue } from "../src/lib/format";
import { checkRow, failingFirst } from "../src/views/station";
import { check } from "./fixtures";

describe("the rule list beside the preview", () => {
  const list = [check("single_face", true, 1), check("head_top", false, 120), check("eye_height", true, 250), check("face_width", false, 170)];

  it("puts the rules to fix first, each group in the standard's order", () => {
    expect(failingFirst(list).map((c) => c.id)).toEqual(["head_top", "face_width", "single_face", "eye_height"]);
    expect(list[0].id).toBe("single_face"); // the snapshot's own list is left as it was
  });

  it("gives a failing rule its fix and its value alone, and a passing one no fix", () => {
    const failing = checkRow({ ...check("face_width", false, 170, ["靠近一点", "move closer"]), limit: "180–300" }, "zh-CN");
    expect(failing.className).toBe("fail");
    expect(failing.querySelector(".fix")?.textContent).toBe("靠近一点");
    expect(failing.querySelector(".value")?.textContent).toBe("170 px");
    const passing = checkRow(check("single_face", true, 1), "zh-CN");
    expect(passing.className).toBe("pass");
    expect(passing.querySelector(".fix")).toBeNull();
    expect(passing.querySelector(".value")?.textContent).toBe("1");
  });
});

describe("values on the screen", () => {
  it("never shows a negative zero", () => {
    expect(formatValue(-0.04)).toBe("0.0");
    expect(formatValue(-0.05)).toBe("-0.1");
    expect(formatValue(-0)).toBe("0");
    expect(formatValue(12)).toBe("12");
    expect(formatValue(null)).toBe("");
  });

  it("keeps two significant digits of a share under 1, so a failing 0.052 does not read 0.0", () => {
    expect(formatValue(0.052)).toBe("0.052");
    expect(formatValue(0.63)).toBe("0.63");
    expect(formatValue(0.3649)).toBe("0.36");
    expect(formatValue(1.25)).toBe("1.3");
  });
});

describe("units", () => {
  it("name the photo's pixels and the degrees of a tilt, and nothing for shares and scores", () => {
    expect(formatMeasure("head_top", 157.7)).toBe("158 px");
    expect(formatMeasure("shoulders_level", 20.8)).toBe("20.8°");
    expect(formatMeasure("mouth_closed", 0.032)).toBe("0.032");
    expect(formatMeasure("pose", 24)).toBe("24");
    expect(formatMeasure("format", null)).toBe("");
  });

  it("read the photo's pixels and the quality whole, as their messages do", () => {
    // The detail showed 居中 "0.51 px" beside "头部中心偏离中线 1 像素", and 质量 "87.0" beside
    // "压缩质量约 87".
    expect(formatMeasure("centered", 0.51)).toBe("1 px");
    expect(formatMeasure("centered", -0.3)).toBe("0 px");
    expect(formatMeasure("centered", -0.5)).toBe("-1 px");
    expect(formatMeasure("eye_height", 270.4)).toBe("270 px");
    expect(formatMeasure("quality", 87.04)).toBe("87");
    expect(formatMeasure("roll", 0.48)).toBe("0.48°");
    // Where it fails, the tenth is what fails.
    expect(formatMeasure("head_top", 110.4, false)).toBe("110.4 px");
    expect(formatMeasure("centered", 24.3, false)).toBe("24.3 px");
  });
});

describe("file sizes", () => {
  it("count KB as the standard does (1000 bytes), so a file over 40 KB never reads as inside the window", () => {
    expect(formatKb(40_500)).toBe("40.5");
    expect(formatKb(34_343)).toBe("34.3");
    expect(formatKb(20_000)).toBe("20.0");
  });
});

describe("the clock", () => {
  it("reads China Standard Time whatever the machine's zone, as the queue writes shot times", () => {
    // 2026-12-07 11:46 UTC is 19:46 in Beijing; 16:05 UTC is past midnight there.
    expect(clock(Date.UTC(2026, 11, 7, 11, 46, 30))).toBe("19:46");
    expect(clock(Date.UTC(2026, 11, 7, 16, 5))).toBe("00:05");
  });
});
