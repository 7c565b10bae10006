import { describe, expect, it } from "vitest";
import { fitContain, overlayFor, photoCol, photoRow } from "../src/lib/geometry";
import { check, live } from "./fixtures";

const crop = { x: 600, y: 120, width: 720, height: 960 };

describe("photo rows and columns on screen", () => {
  it("maps r = 50/110/200/300 of the 640-row photo with s = 0.5", () => {
    expect(photoRow(crop, 50, 0.5)).toBe(97.5);
    expect(photoRow(crop, 110, 0.5)).toBe(142.5);
    expect(photoRow(crop, 200, 0.5)).toBe(210);
    expect(photoRow(crop, 300, 0.5)).toBe(285);
    expect(photoRow(crop, 0, 1)).toBe(120);
    expect(photoRow(crop, 640, 1)).toBe(1080);
  });
  it("maps columns of the 480-column photo", () => {
    expect(photoCol(crop, 0, 0.5)).toBe(300);
    expect(photoCol(crop, 240, 0.5)).toBe(480);
    expect(photoCol(crop, 480, 1)).toBe(1320);
  });
});

describe("overlayFor", () => {
  it("places the bands, the width bracket and the markers", () => {
    const ov = overlayFor(
      live({ checks: [check("head_top", true, 78), check("eye_height", false, 190)] }),
      960,
    );
    if (ov.kind !== "crop") throw new Error("expected a crop overlay");
    expect(ov.scale).toBe(0.5);
    expect(ov.crop).toEqual({ x: 300, y: 60, width: 360, height: 480 });
    expect([ov.headTop.top, ov.headTop.bottom]).toEqual([97.5, 142.5]);
    expect([ov.eyes.top, ov.eyes.bottom]).toEqual([210, 285]);
    expect(ov.width.center).toBe(480);
    expect(ov.width.inner).toEqual([412.5, 547.5]);
    expect(ov.width.outer).toEqual([367.5, 592.5]);
    expect(ov.eyeMarkers).toEqual([
      { x: 450, y: 270 },
      { x: 510, y: 270 },
    ]);
    expect(ov.headTopY).toBe(150);
    expect(ov.headTop.state).toBe("pass");
    expect(ov.eyes.state).toBe("fail");
    expect(ov.width.state).toBe("unknown");
  });

  it("scales by live.width, not by the size of the (downscaled) JPEG", () => {
    // A 960-wide preview of a 1280-wide source frame: s = 0.75.
    const ov = overlayFor(live({ width: 1280, height: 720, crop: { x: 400, y: 0, width: 540, height: 720 }, face_center_x: 670 }), 960);
    if (ov.kind !== "crop") throw new Error("expected a crop overlay");
    expect(ov.scale).toBe(0.75);
    expect(ov.headTop.top).toBeCloseTo(0.75 * (50 * 720 / 640), 9); // 42.1875
    expect(ov.eyes.bottom).toBeCloseTo(0.75 * (300 * 720 / 640), 9); // 253.125
    expect(ov.width.inner[0]).toBeCloseTo(0.75 * (670 - 90 * 540 / 480), 9);
    expect(ov.width.outer[1]).toBeCloseTo(0.75 * (670 + 150 * 540 / 480), 9);
  });

  it("centres the bracket on the crop when the face centre is unknown", () => {
    const ov = overlayFor(live({ face_center_x: null }), 1920);
    if (ov.kind !== "crop") throw new Error("expected a crop overlay");
    expect(ov.width.center).toBe(960);
    expect(ov.width.inner).toEqual([825, 1095]);
  });

  it("without a crop gives the face box and the reason only", () => {
    const reason = check("face_width", false, 120, ["靠近一点", "move closer"]);
    const ov = overlayFor(live({ crop: null, compliant: false, checks: [check("head_top", true), reason], face: { x: 100, y: 200, width: 300, height: 400 } }), 960);
    expect(ov.kind).toBe("no_crop");
    if (ov.kind !== "no_crop") return;
    expect(ov.face).toEqual({ x: 50, y: 100, width: 150, height: 200 });
    expect(ov.reason?.id).toBe("face_width");
  });

  it("without a crop or a face has no box", () => {
    const ov = overlayFor(live({ crop: null, face: null, checks: [check("single_face", false, 0)] }), 960);
    expect(ov).toEqual({ kind: "no_crop", scale: 0.5, face: null, reason: expect.objectContaining({ id: "single_face" }) });
  });
});

describe("fitContain", () => {
  it("fits 3:4 into a wide box by height", () => {
    expect(fitContain(480, 640, 1000, 800)).toEqual({ width: 600, height: 800 });
    expect(fitContain(480, 640, 300, 800)).toEqual({ width: 300, height: 400 });
  });
});
