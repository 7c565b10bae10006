import type { Check, CheckId, Live, QueueSummary, ReviewDay, ReviewShot, Slot, SlotPace, Snapshot } from "../src/lib/backend/bindings";

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
    pending: [],
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
  return { today: 128, pending: 3, uploading: 1, uploaded: 124, failed: 0, online: true, pace_per_hour: 142, plan_per_hour: 150, slot: null, ...over };
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
    fee: null,
    ...over,
  };
}

export function slotPace(over: Partial<SlotPace> = {}, slot: Partial<Slot> = {}): SlotPace {
  return {
    slot: { date: "2026-06-10", start: 480, end: 520, group: "计算机学院", room: "图书馆 101", expected: 100, expected_derived: false, row: 2, ...slot },
    photographed: 42,
    retakes: 2,
    refused: 5,
    minutes_left: 12,
    per_hour: 90,
    planned_by_now: 45,
    lead: -3,
    lead_minutes: -1.2,
    state: "behind",
    ...over,
  };
}

let shotSeq = 0;

/** A shot of `student` (its code key); ids count up unless given. */
export function reviewShot(student: string, over: Partial<ReviewShot> = {}): ReviewShot {
  shotSeq++;
  return {
    id: `S${String(shotSeq).padStart(4, "0")}`,
    student,
    display: `张*${student} · ****1234`,
    time: "08:10:00",
    room: "图书馆 101",
    slot: "08:00–08:40 计算机学院",
    verdict: "pass",
    upload: "uploaded",
    upload_error: null,
    current: true,
    superseded: false,
    voided: null,
    fee: null,
    retake_mark: null,
    ...over,
  };
}

export function reviewDay(shots: ReviewShot[], over: Partial<ReviewDay> = {}): ReviewDay {
  return { day: "2026-06-10", shots, pace: [slotPace()], unscheduled: 0, hours: [{ hour: 8, uploaded: shots.length, waiting: 0, failed: 0, voided: 0 }], ...over };
}
