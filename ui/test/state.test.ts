// The state display, the event reducer and the two languages.
import { describe, expect, it } from "vitest";
import { TABLES, t } from "../src/lib/i18n";
import type { Fee, Phase, StationEvent } from "../src/lib/backend/bindings";
import { COLOURS, displayFor, feeOf, fromSnapshot, reduce, stateKey, type Model } from "../src/lib/state";
import { check, live, queue, snapshot } from "./fixtures";

const framing = { phase: "framing" as const, student: "张*丰 · ****1234" };

function model(over: Partial<Model> = {}): Model {
  return { ...fromSnapshot(snapshot()), ...over };
}

describe("both languages", () => {
  it("have the same keys, none empty", () => {
    const zh = Object.keys(TABLES["zh-CN"]).sort();
    const en = Object.keys(TABLES.en).sort();
    expect(en).toEqual(zh);
    for (const lang of ["zh-CN", "en"] as const) {
      for (const [k, v] of Object.entries(TABLES[lang])) expect(v.trim(), `${lang} ${k}`).not.toBe("");
    }
  });

  it("have the same placeholders in every string", () => {
    const vars = (s: string) => (s.match(/\{[a-z_]+\}/g) ?? []).sort();
    for (const k of Object.keys(TABLES["zh-CN"]) as (keyof (typeof TABLES)["en"])[]) {
      expect(vars(TABLES.en[k]), k).toEqual(vars(TABLES["zh-CN"][k]));
    }
  });

  it("the Chinese table is Chinese and the English one is not", () => {
    const han = /[\u4e00-\u9fff]/;
    expect(han.test(t("zh-CN", "state.ready"))).toBe(true);
    expect(han.test(t("en", "state.ready"))).toBe(false);
    expect(t("zh-CN", "online.no", { pending: 3 })).toBe("● 离线，3 张待上传");
  });
});

describe("the big state", () => {
  it("names each phase with its one colour", () => {
    expect(stateKey({ phase: "waiting_for_code" }, null, 0, 0, 1000)).toBe("waiting");
    expect(stateKey(framing, live({ verdict: "fail", compliant: false }), 0, 0, 1000)).toBe("adjust");
    expect(stateKey(framing, live(), 0, 0, 1000)).toBe("ready");
    expect(stateKey({ phase: "waiting_for_code" }, null, 2000, 0, 1000)).toBe("saved");
    expect(stateKey(framing, live(), 0, 2000, 1000)).toBe("refused");
    expect(COLOURS.waiting).toBe("grey");
    expect(COLOURS.adjust).toBe("amber");
    expect(COLOURS.ready).toBe("green");
    expect(COLOURS.review).toBe("blue");
    // Red only for refused and failed, never for "not yet".
    expect(Object.entries(COLOURS).filter(([, c]) => c === "red").map(([k]) => k)).toEqual(["refused"]);
  });

  it("is never ready while the camera has no picture", () => {
    const m = model({ phase: framing, live: live(), camera: { state: "problem", name: "usb:0", problem: null } });
    expect(displayFor(m, 1000).key).toBe("no_picture");
    expect(displayFor(m, 1000).label).toBe("没有画面");
    expect(displayFor({ ...m, camera: { ...m.camera, state: "ended" } }, 1000).key).toBe("no_picture");
    expect(displayFor({ ...m, camera: { ...m.camera, state: "starting" } }, 1000).key).toBe("no_picture");
    expect(displayFor({ ...m, camera: { ...m.camera, state: "ok" } }, 1000).key).toBe("ready");
    expect(displayFor({ ...m, live: live({ verdict: "fail", compliant: false }) }, 1000).key).toBe("no_picture");
  });

  it("shows the label in the chosen language with the other one beneath", () => {
    const d = displayFor(model({ phase: framing, live: live() }), 1000);
    expect([d.label, d.secondary]).toEqual(["可以拍摄", "Ready"]);
    const e = displayFor(model({ phase: framing, live: live(), language: "en" }), 1000);
    expect([e.label, e.secondary]).toEqual(["Ready", "可以拍摄"]);
  });
});

describe("events", () => {
  it("a scan plays the scan sound once; a retake does not", () => {
    const m = model();
    const scanned = reduce(m, { kind: "session", event: "phase", ...framing }, 0);
    expect(scanned.sounds).toEqual(["scan"]);
    const review = { phase: "review" as const, student: framing.student, quality: 90, bytes: 30000, photo: 1, checks: [] };
    const inReview = reduce(scanned.model, { kind: "session", event: "phase", ...review }, 0);
    const retake = reduce(inReview.model, { kind: "session", event: "phase", ...framing }, 0);
    expect(retake.sounds).toEqual([]);
  });

  it("a new framing starts without the last student's verdict", () => {
    const m = model({ phase: framing, live: live() });
    const waiting = reduce(m, { kind: "session", event: "phase", phase: "waiting_for_code" }, 0).model;
    expect(waiting.live).toBeNull();
    const again = reduce(m, { kind: "session", event: "phase", ...framing }, 0).model;
    expect(again.live).not.toBeNull(); // the same framing, announced again, keeps it
  });

  it("a refused shot shows why, with a low tone, and the saved tick expires", () => {
    const m = model({ phase: framing });
    const failing = [check("face_width", false, 150, ["靠近一点", "move closer"])];
    const r = reduce(m, { kind: "session", event: "shot_refused", failing, message_zh: "拒绝拍摄", message_en: "refused" }, 1000);
    expect(r.sounds).toEqual(["refused"]);
    expect(r.model.toast?.kind).toBe("refused");
    expect(displayFor(r.model, 1001).key).toBe("refused");
    const q = reduce(model(), { kind: "session", event: "queued", shot_id: "x", student: framing.student }, 1000);
    expect(q.sounds).toEqual(["saved"]);
    expect(displayFor(q.model, 1100).key).toBe("saved");
    expect(displayFor(q.model, 100000).key).toBe("waiting");
  });

  it("the queue, the camera and the student's window follow their events", () => {
    let m = model();
    m = reduce(m, { kind: "queue", queue: queue({ pending: 5, online: false }) }, 0).model;
    expect([m.queue.pending, m.queue.online]).toEqual([5, false]);
    m = reduce(m, { kind: "camera_problem", message_zh: "相机已断开", message_en: "camera disconnected" }, 0).model;
    expect(m.camera.state).toBe("problem");
    m = reduce(m, { kind: "camera_ok" }, 0).model;
    expect(m.camera.state).toBe("ok");
    m = reduce(m, { kind: "confirm_window", open: true }, 0).model;
    expect(m.confirmWindow).toBe(true);
  });
});

describe("the fee mark", () => {
  const A = "张*丰 · ****1234";
  const B = "李*明 · ****5678";
  const phase = (p: Phase) => ({ kind: "session" as const, event: "phase" as const, ...p }) as StationEvent;
  const fee = (f: Fee) => ({ kind: "session" as const, event: "fee" as const, fee: f }) as StationEvent;
  const step = (m: Model, ...evs: StationEvent[]) => evs.reduce((x, e) => reduce(x, e, 0).model, m);

  it("sent as a code is taken, belongs to the student the next phase names", () => {
    const m = step(model(), fee("paid"), phase({ phase: "framing", student: A }));
    expect(feeOf(m)).toBe("paid");
    expect(feeOf(step(m, phase({ phase: "review", student: A, quality: 90, bytes: 1, photo: 1, checks: [] })))).toBe("paid");
  });

  it("F changes it; it goes with the student", () => {
    let m = step(model(), phase({ phase: "framing", student: A }), fee("exempt"));
    expect(feeOf(m)).toBe("exempt");
    m = step(m, phase({ phase: "waiting_for_code" }));
    expect(feeOf(m)).toBeNull();
    expect(m.fee).toBeNull();
  });

  it("switching to a student without a mark does not show the last one's", () => {
    let m = step(model(), fee("paid"), phase({ phase: "framing", student: A }), phase({ phase: "confirm_switch", current: A, next: B }));
    expect(feeOf(m)).toBe("paid"); // still A's, while asking
    m = step(m, phase({ phase: "framing", student: B }));
    expect(feeOf(m)).toBeNull();
  });

  it("switching to a student with a mark shows theirs, and no switch keeps the first", () => {
    const asking = step(model(), fee("paid"), phase({ phase: "framing", student: A }), phase({ phase: "confirm_switch", current: A, next: B }));
    expect(feeOf(step(asking, fee("unpaid")))).toBeNull(); // B's, not shown on A's question
    expect(feeOf(step(asking, fee("unpaid"), phase({ phase: "framing", student: B })))).toBe("unpaid");
    expect(feeOf(step(asking, phase({ phase: "framing", student: A })))).toBe("paid");
  });

  it("comes from the snapshot for the student it names", () => {
    const m = fromSnapshot(snapshot({ phase: { phase: "confirm_retake", student: A, mark: null }, fee: "unpaid" }));
    expect(feeOf(m)).toBe("unpaid");
  });
});
