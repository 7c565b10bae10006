// The station screen's new pieces in the page (jsdom): the current slot, the fee, the
// supervisor's retake request, and the ways into the review.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mountStation, OVERLAY_MAX_LAG, overlayFresh } from "../src/views/station";
import { REFUSED_MS, SAVED_MS } from "../src/lib/state";
import { FakeBackend, settle, type Answers } from "./fakeBackend";
import { check, live, queue, slotPace, snapshot } from "./fixtures";

let root: HTMLElement;
let unmount: () => void;
const $ = (sel: string) => root.querySelector<HTMLElement>(sel);

async function mount(answers: Answers): Promise<FakeBackend> {
  const fake = new FakeBackend(answers);
  unmount = mountStation(root, fake.backend, { preview: false, sounds: false });
  await settle();
  return fake;
}

beforeEach(() => {
  root = document.createElement("div");
  document.body.replaceChildren(root);
  location.hash = "#station";
});
afterEach(() => unmount?.());

describe("the camera banner", () => {
  it("shows a camera problem whose event reached the page before the first snapshot did", async () => {
    // The station took the snapshot (camera starting), then the problem's event went out and
    // reached the window first. Dropped as older than the snapshot, the banner never came.
    const problem = { message_zh: "视频文件不存在：/x.mjpeg", message_en: "no such file: /x.mjpeg" };
    let answer: (v: ReturnType<typeof snapshot>) => void = () => {};
    const held = (() => new Promise((r) => (answer = r))) as unknown as Answers["snapshot"];
    const fake = await mount({ snapshot: held });
    fake.emit({ kind: "camera_problem", ...problem });
    fake.emit({ kind: "session", event: "live", ...live({ verdict: "fail" }) });
    answer(snapshot({ camera: { state: "starting", name: "video", problem: null } }));
    await settle();
    expect($("#banner")!.hidden).toBe(false);
    expect($("#banner")!.textContent).toContain("视频文件不存在");
    expect(fake.of("snapshot").length).toBe(1);
    // After the snapshot, events apply at once.
    fake.emit({ kind: "camera_ok" });
    expect($("#banner")!.hidden).toBe(true);
  });

  it("a restart's snapshot keeps the events that arrive while it is awaited; an older answer is not taken", async () => {
    const answers: ((v: ReturnType<typeof snapshot>) => void)[] = [];
    const held = (() => new Promise((r) => answers.push(r))) as unknown as Answers["snapshot"];
    const fake = await mount({ snapshot: held });
    answers[0](snapshot());
    await settle();
    fake.emit({ kind: "restarted" });
    fake.emit({ kind: "restarted" });
    await settle();
    expect(answers.length).toBe(3);
    fake.emit({ kind: "camera_problem", message_zh: "相机已断开", message_en: "camera unplugged" });
    // The first restart's snapshot answers last and is not taken over the second's.
    answers[2](snapshot({ camera: { state: "starting", name: "usb", problem: null } }));
    await settle();
    expect($("#banner")!.textContent).toContain("相机已断开");
    answers[1](snapshot({ camera: { state: "ok", name: "usb", problem: null } }));
    await settle();
    expect($("#banner")!.hidden).toBe(false);
  });
});

describe("the last student saved", () => {
  it("stays on the panel after the saved tick, until the next student is saved", async () => {
    const fake = await mount({ snapshot: snapshot({ phase: { phase: "framing", student: "张*丰 · ****1234" } }) });
    expect($("#last-saved")!.hidden).toBe(true);
    fake.emit({ kind: "session", event: "queued", shot_id: "s1", student: "张*丰 · ****1234" });
    fake.emit({ kind: "session", event: "phase", phase: "framing", student: "李* · ****0002" });
    await new Promise((r) => setTimeout(r, SAVED_MS + 100));
    const line = $("#last-saved")!;
    expect(line.hidden).toBe(false);
    expect(line.textContent).toMatch(/^上一位 张\*丰 · \*\*\*\*1234 ✓ 已保存 \d\d:\d\d$/);
    fake.emit({ kind: "session", event: "queued", shot_id: "s2", student: "李* · ****0002" });
    expect(line.dataset.student).toBe("李* · ****0002");
  });
});

describe("the slot line", () => {
  it("shows the current slot under the queue, coloured by its state", async () => {
    await mount({ snapshot: snapshot({ queue: queue({ slot: slotPace() }) }) });
    const line = $("#slot-line")!;
    expect(line.hidden).toBe(false);
    expect(line.textContent).toBe("08:00–08:40 计算机学院 · 42/100 · 落后 3 人（约 1 分钟）");
    expect(line.dataset.state).toBe("behind");
    expect(line.className).toBe("c-red");
  });

  it("follows the queue event, and hides without a slot", async () => {
    const fake = await mount({});
    expect($("#slot-line")!.hidden).toBe(true);
    fake.emit({ kind: "queue", queue: queue({ slot: slotPace({ state: "ahead", lead: 3, lead_minutes: 1.2 }) }) });
    expect($("#slot-line")!.textContent).toContain("领先 3 人（约 1 分钟）");
    expect($("#slot-line")!.className).toBe("c-green");
    fake.emit({ kind: "queue", queue: queue({ slot: null }) });
    expect($("#slot-line")!.hidden).toBe(true);
  });
});

describe("the fee", () => {
  const framing = { phase: "framing" as const, student: "张*丰 · ****1234" };

  it("shows the student's mark from the snapshot and from the fee event", async () => {
    const fake = await mount({ snapshot: snapshot({ phase: framing, fee: "unpaid" }) });
    expect($("#fee")!.hidden).toBe(false);
    expect($("#fee")!.dataset.fee).toBe("unpaid");
    expect($("#fee")!.textContent).toContain("未缴");
    fake.emit({ kind: "session", event: "fee", fee: "exempt" });
    expect($("#fee")!.textContent).toContain("免缴");
    fake.emit({ kind: "session", event: "phase", phase: "waiting_for_code" });
    expect($("#fee")!.hidden).toBe(true);
  });

  it("F sends press(fee)", async () => {
    const fake = await mount({ snapshot: snapshot({ phase: framing }) });
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "f" }));
    await new Promise((r) => setTimeout(r, 100)); // a single key counts once the burst gap passed
    expect(fake.of("press")).toEqual([["fee"]]);
  });

  it("is in the key hints", async () => {
    await mount({});
    expect($("#hints")!.textContent).toContain("F 缴费");
    expect($("#hints")!.textContent).toContain("Ctrl+Shift+S");
  });
});

describe("the supervisor's retake request", () => {
  it("stands out in the question when there is one", async () => {
    const fake = await mount({ snapshot: snapshot({ phase: { phase: "confirm_retake", student: "张*丰", mark: "闭眼（王老师）" } }) });
    expect($("#retake-mark")!.textContent).toBe("主管要求重拍：闭眼（王老师）");
    expect($("#question")!.textContent).toContain("需要重拍");
    fake.emit({ kind: "session", event: "phase", phase: "confirm_retake", student: "李*明", mark: null });
    expect($("#retake-mark")).toBeNull();
    expect($("#question")!.textContent).toContain("今天已拍过");
  });
});

describe("the way to the review", () => {
  it("is a button", async () => {
    await mount({});
    $("#open-review")!.click();
    expect(location.hash).toBe("#supervisor");
  });

  it("is Ctrl+Shift+S, from the code field too", async () => {
    await mount({});
    $("#code-input")!.dispatchEvent(new KeyboardEvent("keydown", { key: "S", code: "KeyS", ctrlKey: true, shiftKey: true, bubbles: true }));
    expect(location.hash).toBe("#supervisor");
  });

  it("is not a scanner's capital S", async () => {
    await mount({});
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "S", code: "KeyS", shiftKey: true }));
    expect(location.hash).toBe("#station");
  });
});

describe("a refused shot", () => {
  const framing = { phase: "framing" as const, student: "张*丰 · ****1234" };

  it("names the rules and their fixes, not the generic message, when rules failed", async () => {
    const fake = await mount({ snapshot: snapshot({ phase: framing }) });
    const failing = [check("face_width", false, 150, ["靠近一点", "move closer"])];
    fake.emit({ kind: "session", event: "shot_refused", failing, message_zh: "拒绝拍摄：照片不符合标准", message_en: "refused: fix what is listed" });
    const toast = $("#toast")!;
    expect(toast.hidden).toBe(false);
    expect(toast.querySelector(".toast-title")!.textContent).toBe("拒绝拍摄");
    expect(toast.querySelector("[data-check=face_width]")!.textContent).toContain("靠近一点");
    expect(toast.querySelector(".toast-msg")).toBeNull();
  });

  it("names a rule the live list already shows failing without its fix again, and keeps the fix of one only the shutter found", async () => {
    const failingLive = live({
      verdict: "fail",
      compliant: false,
      checks: [check("face_width", false, 150, ["靠近一点", "move closer"]), check("mouth_closed", false, 0.05, ["请自然闭合嘴唇", "close your lips"])],
    });
    const fake = await mount({ snapshot: snapshot({ phase: framing, last_live: failingLive }) });
    const failing = [
      check("face_width", false, 150, ["靠近一点", "move closer"]),
      check("mouth_closed", false, 0.05, ["请自然闭合嘴唇", "close your lips"]),
      check("bareheaded", false, 0.63, ["请摘下帽子", "take off the hat or cap"]),
    ];
    fake.emit({ kind: "session", event: "shot_refused", failing, message_zh: "拒绝拍摄", message_en: "refused" });
    const toast = $("#toast")!;
    expect(toast.querySelector("[data-check=face_width]")!.className).toBe("short");
    expect(toast.querySelector("[data-check=face_width]")!.textContent).not.toContain("靠近一点");
    expect(toast.querySelector("[data-check=mouth_closed]")!.className).toBe("short");
    expect(toast.querySelector("[data-check=bareheaded]")!.className).toBe("");
    expect(toast.querySelector("[data-check=bareheaded]")!.textContent).toContain("请摘下帽子");
    // The fixes are still on screen: in the live list below.
    expect($("#checks")!.textContent).toContain("靠近一点");
  });

  it("takes the card away once the frame is ready, and keeps it while it is not", async () => {
    const fake = await mount({ snapshot: snapshot({ phase: framing }) });
    const failing = [check("face_width", false, 150, ["靠近一点", "move closer"])];
    fake.emit({ kind: "session", event: "shot_refused", failing, message_zh: "拒绝拍摄", message_en: "refused" });
    fake.emit({ kind: "session", event: "live", ...live({ verdict: "fail", compliant: false, checks: [check("face_width", false, 160, ["靠近一点", "move closer"])] }) });
    expect($("#toast")!.hidden).toBe(false);
    const failingLive = live({ verdict: "fail", compliant: false, checks: [check("face_width", false, 165, ["靠近一点", "move closer"])] });
    fake.emit({ kind: "session", event: "live", ...live() });
    expect($("#state")!.dataset.state).toBe("refused");
    expect($("#toast")!.hidden).toBe(false);
    // The header has turned from red; the frame is not ready: the card stays.
    fake.emit({ kind: "session", event: "live", ...failingLive });
    await new Promise((r) => setTimeout(r, REFUSED_MS + 100));
    expect($("#state")!.dataset.state).toBe("adjust");
    expect($("#toast")!.hidden).toBe(false);
    // Ready: the card goes, and does not come back when the frame slips out of ready.
    fake.emit({ kind: "session", event: "live", ...live() });
    expect($("#state")!.dataset.state).toBe("ready");
    expect($("#toast")!.hidden).toBe(true);
    fake.emit({ kind: "session", event: "live", ...failingLive });
    expect($("#toast")!.hidden).toBe(true);
  });

  it("says why in both languages when no rule was judged yet", async () => {
    const fake = await mount({ snapshot: snapshot({ phase: framing }) });
    fake.emit({ kind: "session", event: "shot_refused", failing: [], message_zh: "拒绝拍摄：还没有检测到学生", message_en: "refused: no frame of the student yet" });
    const lines = [...$("#toast")!.querySelectorAll(".toast-msg")].map((e) => e.textContent);
    expect(lines).toEqual(["拒绝拍摄：还没有检测到学生", "refused: no frame of the student yet"]);
  });
});

describe("the overlay's verdict over the picture", () => {
  it("is drawn when it was measured a few frames before the picture, or after it", () => {
    // The usual case: the analysis is slower than the camera.
    expect(overlayFresh(120, 117)).toBe(true);
    expect(overlayFresh(120, 120)).toBe(true);
    // The verdict's event came before the preview fetched the frame it was measured on.
    expect(overlayFresh(120, 122)).toBe(true);
    expect(overlayFresh(120, 120 - OVERLAY_MAX_LAG)).toBe(true);
    expect(overlayFresh(120, 120 + OVERLAY_MAX_LAG)).toBe(true);
  });

  it("is not drawn as current when it is more than half a second from the picture", () => {
    // A stalled analysis under a moving picture, or a stalled picture under new verdicts.
    expect(overlayFresh(120, 120 - OVERLAY_MAX_LAG - 1)).toBe(false);
    expect(overlayFresh(120, 120 + OVERLAY_MAX_LAG + 1)).toBe(false);
  });
});

describe("the photo under review", () => {
  it("names whose it is, masked, so the student can check it is theirs", async () => {
    const { buildReview } = await import("../src/views/review");
    const fake = new FakeBackend({});
    const review = buildReview(fake.backend, () => {});
    review.update({ phase: "review", student: "张*丰 · ****1000 · ******0001", quality: 87, bytes: 38_200, photo: 7, checks: [] }, "zh-CN");
    expect(review.el.querySelector("#review-student")?.textContent).toBe("张*丰 · ****1000 · ******0001");
    expect(review.el.dataset.photo).toBe("7");
  });
});

describe("the rule list while the student is framed", () => {
  const framing = { phase: "framing" as const, student: "张*丰 · ****1234" };
  const framed = [check("head_top", true, 78), check("eye_height", true, 251), check("face_width", true, 220)];

  it("lists the rules judged once per photo as not judged yet, and keeps its length when the probe answers", async () => {
    const before = live({ checks: framed, pending: ["bareheaded", "ears_visible", "eyebrows_visible", "face_uncovered", "no_tinted_glasses", "no_border_or_text"] });
    const fake = await mount({ snapshot: snapshot({ phase: framing, last_live: before }) });
    const rows = () => [...$("#checks")!.querySelectorAll("li")].map((li) => `${li.dataset.check}:${li.className}`);
    expect(rows()).toEqual([
      "head_top:pass",
      "eye_height:pass",
      "face_width:pass",
      "bareheaded:pending",
      "ears_visible:pending",
      "eyebrows_visible:pending",
      "face_uncovered:pending",
      "no_tinted_glasses:pending",
      "no_border_or_text:pending",
    ]);
    const hat = $("#checks [data-check=bareheaded]")!;
    expect(hat.textContent).toBe("…免冠");
    expect(hat.title).toBe("待判断：稍后由实时检测判断，或拍摄时用照片判断");
    // The probe answers: a hat. It goes first with its fix; the list is as long as before.
    fake.emit({
      kind: "session",
      event: "live",
      ...live({
        seq: 8,
        verdict: "fail",
        checks: [...framed, check("bareheaded", false, 0.63, ["请摘下帽子", "take off the hat or cap"]), check("ears_visible", true, 0.03), check("eyebrows_visible", true, 0.02), check("face_uncovered", true, 0.04), check("no_tinted_glasses", true, 0.82)],
        pending: ["no_border_or_text"],
      }),
    });
    await settle();
    expect(rows()).toEqual([
      "bareheaded:fail",
      "head_top:pass",
      "eye_height:pass",
      "face_width:pass",
      "ears_visible:pass",
      "eyebrows_visible:pass",
      "face_uncovered:pass",
      "no_tinted_glasses:pass",
      "no_border_or_text:pending",
    ]);
  });

  it("names the pending rules in English too", async () => {
    await mount({ snapshot: snapshot({ phase: framing, language: "en", last_live: live({ checks: framed, pending: ["no_border_or_text"] }) }) });
    const marks = $("#checks [data-check=no_border_or_text]")!;
    expect(marks.title).toBe("not judged yet: by the live check shortly, or on the photo when it is taken");
  });

  it("shows a mask and tinted glasses refused by the probe with their labels and fixes, in both languages", async () => {
    const fixes = {
      face_uncovered: ["请摘下口罩，不要用手或其他物品遮住口鼻", "take off the mask; keep hands and anything else away from the mouth and nose"] as [string, string],
      no_tinted_glasses: ["请摘下有色眼镜或墨镜（可换透明眼镜或不戴）", "take off the tinted glasses or sunglasses (clear glasses or none)"] as [string, string],
    };
    const refused = live({
      verdict: "fail",
      checks: [...framed, check("face_uncovered", false, 0, fixes.face_uncovered), check("no_tinted_glasses", false, 0.35, fixes.no_tinted_glasses)],
      pending: ["no_border_or_text"],
    });
    for (const [language, at, labels] of [
      ["zh-CN", 0, { face_uncovered: "不戴口罩", no_tinted_glasses: "无有色眼镜" }],
      ["en", 1, { face_uncovered: "no mask", no_tinted_glasses: "no tinted glasses" }],
    ] as const) {
      await mount({ snapshot: snapshot({ phase: framing, language, last_live: refused }) });
      for (const id of ["face_uncovered", "no_tinted_glasses"] as const) {
        const row = $(`#checks [data-check=${id}]`)!;
        expect(row.className).toBe("fail");
        expect(row.querySelector(".title")!.textContent).toBe(labels[id]);
        expect(row.querySelector(".fix")!.textContent).toBe(fixes[id][at]);
      }
    }
  });
});
