// Overlay geometry: the standard's bands mapped from the 480×640 photo into the preview.
// With the preview scaled by s = drawn_width / frame_width, a row r of the photo sits at
// s·(y + r·h/640) and a column c at s·(x + c·w/480) (DESIGN-STATION.md).
import type { Check, CheckId, Live, Point, Rect } from "./backend/bindings";

export const PHOTO_WIDTH = 480;
export const PHOTO_HEIGHT = 640;
/** Head top band, eye band (rows of the 640-row photo). */
export const HEAD_TOP_ROWS = [50, 110] as const;
export const EYE_ROWS = [200, 300] as const;
/** Face width 180–300 of 480: half-widths of the bracket around the face centre. */
export const FACE_HALF_WIDTHS = [90, 150] as const;

export type BandState = "pass" | "fail" | "unknown";

export type Overlay =
  | {
      kind: "crop";
      scale: number;
      compliant: boolean;
      crop: Rect;
      headTop: { top: number; bottom: number; state: BandState };
      eyes: { top: number; bottom: number; state: BandState };
      width: { center: number; inner: [number, number]; outer: [number, number]; state: BandState };
      eyeMarkers: Point[];
      headTopY: number | null;
      face: Rect | null;
    }
  | { kind: "no_crop"; scale: number; face: Rect | null; reason: Check | null };

export function photoRow(crop: Rect, r: number, scale: number): number {
  return scale * (crop.y + (r * crop.height) / PHOTO_HEIGHT);
}

export function photoCol(crop: Rect, c: number, scale: number): number {
  return scale * (crop.x + (c * crop.width) / PHOTO_WIDTH);
}

export function scaleRect(r: Rect, s: number): Rect {
  return { x: r.x * s, y: r.y * s, width: r.width * s, height: r.height * s };
}

export function bandState(checks: Check[], id: CheckId): BandState {
  const c = checks.find((k) => k.id === id);
  return c ? (c.pass ? "pass" : "fail") : "unknown";
}

/** The overlay for `live` on a preview drawn `drawnWidth` pixels wide (scale uses live.width, not the JPEG size). */
export function overlayFor(live: Live, drawnWidth: number): Overlay {
  const s = drawnWidth / live.width;
  const face = live.face ? scaleRect(live.face, s) : null;
  const crop = live.crop;
  if (!crop) {
    const reason = live.checks.find((c) => !c.pass) ?? null;
    return { kind: "no_crop", scale: s, face, reason };
  }
  const unitX = crop.width / PHOTO_WIDTH; // source px per photo px
  const center = s * (live.face_center_x ?? crop.x + crop.width / 2);
  const [inner, outer] = FACE_HALF_WIDTHS;
  const eyeMarkers: Point[] = [];
  for (const p of [live.eye_left, live.eye_right]) if (p) eyeMarkers.push({ x: p.x * s, y: p.y * s });
  return {
    kind: "crop",
    scale: s,
    compliant: live.compliant,
    crop: scaleRect(crop, s),
    headTop: {
      top: photoRow(crop, HEAD_TOP_ROWS[0], s),
      bottom: photoRow(crop, HEAD_TOP_ROWS[1], s),
      state: bandState(live.checks, "head_top"),
    },
    eyes: {
      top: photoRow(crop, EYE_ROWS[0], s),
      bottom: photoRow(crop, EYE_ROWS[1], s),
      state: bandState(live.checks, "eye_height"),
    },
    width: {
      center,
      inner: [center - s * inner * unitX, center + s * inner * unitX],
      outer: [center - s * outer * unitX, center + s * outer * unitX],
      state: bandState(live.checks, "face_width"),
    },
    eyeMarkers,
    headTopY: live.head_top_y === null ? null : live.head_top_y * s,
    face,
  };
}

/** Largest size with the given aspect ratio that fits in a box. */
export function fitContain(w: number, h: number, boxW: number, boxH: number): { width: number; height: number } {
  if (w <= 0 || h <= 0 || boxW <= 0 || boxH <= 0) return { width: 0, height: 0 };
  const k = Math.min(boxW / w, boxH / h);
  return { width: w * k, height: h * k };
}
