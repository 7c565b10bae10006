import type { Check, CheckId, Live, QueueSummary, Snapshot } from "../src/lib/backend/bindings";

export function check(id: CheckId, pass: boolean, value: number | null = null, fix: [string, string] | null = null): Check {
  return {
    id,
    pass,
    value,
    limit: "",
    message_zh: `${id} 规则，实测 ${value}`,
    message_en: `${id} rule, measured ${value}`,
    fix_zh: fix ? fix[0] : null,
    fix_en: fix ? fix[1] : null,
  };
}

export function live(over: Partial<Live> = {}): Live {
  return {
    seq: 7,
    width: 1920,
    height: 1080,
    verdict: "pass",
    checks: [check("head_top", true, 78), check("eye_height", true, 251), check("face_width", true, 220)],
    face: { x: 800, y: 300, width: 320, height: 400 },
    eye_left: { x: 900, y: 540 },
    eye_right: { x: 1020, y: 540 },
    head_top_y: 300,
    face_center_x: 960,
    crop: { x: 600, y: 120, width: 720, height: 960 },
    compliant: true,
    ...over,
  };
}

export function queue(over: Partial<QueueSummary> = {}): QueueSummary {
  return { today: 128, pending: 3, uploading: 1, uploaded: 124, failed: 0, online: true, pace_per_hour: 142, plan_per_hour: 150, ...over };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    phase: { phase: "waiting_for_code" },
    camera: { state: "ok", name: "demo", problem: null },
    queue: queue(),
    station: "A1",
    room: "图书馆 101",
    language: "zh-CN",
    last_live: null,
    confirm_window: false,
    ...over,
  };
}
