// The photographer's screen: live preview with the standard's bands, state, checks, queue.
import type { Check, CheckId, Key, Live } from "../lib/backend/bindings";
import type { Backend } from "../lib/backend/tauri";
import { h, setAttr, setText } from "../lib/dom";
import { clock, formatMeasure } from "../lib/format";
import { overlayFor, type BandState, type Overlay } from "../lib/geometry";
import { checkTitle, otherLang, pick, t, type Lang } from "../lib/i18n";
import { attachKeyboard } from "../lib/keyboard";
import { actionFor, isReviewChord, type Input } from "../lib/keys";
import { startPreview, type DecodedFrame } from "../lib/preview";
import { asAppError, Session } from "../lib/session";
import { feeText, PACE_COLOURS, slotLine } from "../lib/review";
import { displayFor, feeOf, SAVED_MS, studentOf, type Model } from "../lib/state";
import { buildReview } from "./review";
import { frameDrawn, mark, measure } from "../lib/timing";

export type ViewOptions = { preview?: boolean; sounds?: boolean };

/** Frames (at the camera's rate) a live verdict may be from the frame it is drawn on, either way: 0.5 s at 30 fps. */
export const OVERLAY_MAX_LAG = 15;

/**
 * Whether the live verdict measured on camera frame `liveSeq` may be drawn over the picture of
 * frame `frameSeq`: the two at most OVERLAY_MAX_LAG frames apart, either way. The analysis runs
 * slower than the camera, so a verdict is usually a few frames older than the picture; but its
 * event often reaches the window before the preview has fetched and decoded the frame it was
 * measured on, and a verdict a frame or two newer than the picture is just as current. (Drawn
 * only when older, the guides went blank at half of the moments the end-to-end test looked.)
 */
export function overlayFresh(frameSeq: number, liveSeq: number): boolean {
  return Math.abs(frameSeq - liveSeq) <= OVERLAY_MAX_LAG;
}

const BAND_COLOUR: Record<BandState, string> = { pass: "#2ecc71", fail: "#ff4d4f", unknown: "#9aa0a6" };


/** The rules to fix first, then the rules met, each group in the standard's order. */
export function failingFirst(list: readonly Check[]): Check[] {
  return [...list.filter((c) => !c.pass), ...list.filter((c) => c.pass)];
}

export function checkRow(c: Check, lang: Lang): HTMLLIElement {
  const fix = pick(lang, c.fix_zh ?? "", c.fix_en ?? "");
  return h(
    "li",
    { class: c.pass ? "pass" : "fail", "data-check": c.id, "data-pass": String(c.pass) },
    h("span", { class: "mark" }, c.pass ? "✓" : "✗"),
    h("span", { class: "title" }, checkTitle(lang, c.id)),
    // The value alone: a limit beside it can read as met for a rule that fails on something
    // else (exposure on burnt-out skin) or by being too near its limit to be sure of.
    h("span", { class: "value" }, formatMeasure(c.id, c.value, c.pass)),
    !c.pass && fix ? h("div", { class: "fix" }, fix) : null,
    !c.pass && !fix ? h("div", { class: "fix" }, pick(lang, c.message_zh, c.message_en)) : null,
  );
}

/** A rule this frame's verdict does not hold yet: one judged once per photo, by the live probe
 * (what covers the head) when it answers for this student, or by the shutter (a border or
 * text). Listed greyed in its place so the list keeps its length when the answer comes. */
export function pendingRow(id: CheckId, lang: Lang): HTMLLIElement {
  return h(
    "li",
    { class: "pending", "data-check": id, "data-pending": "true", title: t(lang, "checks.pending") },
    h("span", { class: "mark" }, "…"),
    h("span", { class: "title" }, checkTitle(lang, id)),
  );
}

export function drawOverlay(ctx: CanvasRenderingContext2D, ov: Overlay, lang: Lang, canvasWidth: number): void {
  const lw = Math.max(2, canvasWidth / 400);
  const font = Math.max(14, Math.round(canvasWidth / 40));
  ctx.save();
  ctx.lineWidth = lw;
  if (ov.kind === "no_crop") {
    ctx.strokeStyle = "#f5a623";
    if (ov.face) ctx.strokeRect(ov.face.x, ov.face.y, ov.face.width, ov.face.height);
    // Without a face the failing one-face rule says why itself (none found, or one covered).
    const title = ov.face ? t(lang, "overlay.no_crop") : ov.reason?.id === "single_face" ? "" : t(lang, "overlay.no_face");
    const reason = ov.reason ? pick(lang, ov.reason.message_zh, ov.reason.message_en) : "";
    const x = ov.face ? ov.face.x : font;
    let y = ov.face ? Math.max(font * 2.5, ov.face.y - font * 1.5) : font * 2;
    ctx.font = `600 ${font}px sans-serif`;
    for (const line of [title, reason].filter(Boolean)) {
      const w = ctx.measureText(line).width;
      ctx.fillStyle = "rgba(0,0,0,0.6)";
      ctx.fillRect(x - 4, y - font, w + 8, font * 1.3);
      ctx.fillStyle = "#f5a623";
      ctx.fillText(line, x, y);
      y += font * 1.4;
    }
    ctx.restore();
    return;
  }
  const c = ov.crop;
  // Darken outside the crop.
  ctx.fillStyle = "rgba(0,0,0,0.35)";
  ctx.beginPath();
  ctx.rect(0, 0, canvasWidth, 100000);
  ctx.rect(c.x, c.y, c.width, c.height);
  ctx.fill("evenodd");
  ctx.setLineDash([lw * 4, lw * 3]);
  ctx.strokeStyle = ov.compliant ? "rgba(255,255,255,0.9)" : "#f5a623";
  ctx.strokeRect(c.x, c.y, c.width, c.height);
  ctx.setLineDash([]);
  // Horizontal bands.
  for (const band of [ov.headTop, ov.eyes]) {
    const col = BAND_COLOUR[band.state];
    ctx.fillStyle = col + "33";
    ctx.fillRect(c.x, band.top, c.width, band.bottom - band.top);
    ctx.strokeStyle = col;
    ctx.setLineDash([lw * 5, lw * 3]);
    for (const y of [band.top, band.bottom]) {
      ctx.beginPath();
      ctx.moveTo(c.x, y);
      ctx.lineTo(c.x + c.width, y);
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }
  // Face width bracket: the face's sides belong between the inner (180) and outer (300) ticks.
  const w = ov.width;
  const col = BAND_COLOUR[w.state];
  const y0 = ov.eyes.bottom + (ov.eyes.bottom - ov.eyes.top) * 0.3;
  const y1 = y0 + (ov.eyes.bottom - ov.eyes.top) * 0.6;
  ctx.fillStyle = col + "40";
  ctx.fillRect(w.outer[0], y0, w.inner[0] - w.outer[0], y1 - y0);
  ctx.fillRect(w.inner[1], y0, w.outer[1] - w.inner[1], y1 - y0);
  ctx.strokeStyle = col;
  for (const x of [...w.outer, ...w.inner]) {
    ctx.beginPath();
    ctx.moveTo(x, y0);
    ctx.lineTo(x, y1);
    ctx.stroke();
  }
  ctx.beginPath();
  ctx.moveTo(w.outer[0], (y0 + y1) / 2);
  ctx.lineTo(w.outer[1], (y0 + y1) / 2);
  ctx.stroke();
  // Eye markers and head top marker.
  ctx.fillStyle = BAND_COLOUR[ov.eyes.state];
  ctx.strokeStyle = "#000";
  ctx.lineWidth = lw / 2;
  for (const p of ov.eyeMarkers) {
    ctx.beginPath();
    ctx.arc(p.x, p.y, lw * 2.5, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
  }
  if (ov.headTopY !== null) {
    ctx.strokeStyle = BAND_COLOUR[ov.headTop.state];
    ctx.lineWidth = lw * 1.5;
    const cx = w.center;
    const half = (w.inner[1] - w.inner[0]) / 2;
    ctx.beginPath();
    ctx.moveTo(cx - half, ov.headTopY);
    ctx.lineTo(cx + half, ov.headTopY);
    ctx.stroke();
    ctx.fillStyle = BAND_COLOUR[ov.headTop.state];
    ctx.beginPath();
    ctx.moveTo(cx, ov.headTopY);
    ctx.lineTo(cx - lw * 3, ov.headTopY - lw * 5);
    ctx.lineTo(cx + lw * 3, ov.headTopY - lw * 5);
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

export function mountStation(root: HTMLElement, backend: Backend, opts: ViewOptions = {}): () => void {
  const state = h("div", { id: "state", class: "state c-grey", "data-state": "waiting" });
  const student = h("div", { id: "student" });
  const fee = h("div", { id: "fee", hidden: true });
  const toast = h("div", { id: "toast", hidden: true });
  const checks = h("ul", { id: "checks" });
  const today = h("div", { id: "today" });
  const queue = h("div", { id: "queue" });
  // The last student saved, until the next one: the "saved" tick lasts a second and the beep is
  // easy to miss in a hall, so a student who asks whether theirs was kept gets an answer.
  const lastSaved = h("div", { id: "last-saved", class: "c-green", hidden: true });
  const slot = h("div", { id: "slot-line", hidden: true });
  const online = h("div", { id: "online", "data-online": "unknown" });
  const banner = h("div", { id: "banner", hidden: true });
  const canvas = h("canvas", { id: "preview", "data-seq": "0", width: 640, height: 480 });
  const noPicture = h("div", { class: "no-picture" });
  const previewWrap = h("div", { class: "preview-wrap" }, canvas, noPicture);
  const question = h("div", { id: "question", hidden: true });
  const codeInput = h("input", { id: "code-input", type: "text", autocomplete: "off", spellcheck: "false" });
  const langBtn = h("button", { id: "lang", type: "button" });
  const confirmBtn = h("button", { id: "open-confirm", type: "button" });
  const settingsBtn = h("button", { id: "open-settings", type: "button" });
  const reviewBtn = h("button", { id: "open-review", type: "button" });
  const hints = h("footer", { id: "hints" });
  const header = h("div", { class: "where" });
  const review = buildReview(backend, (k) => press(k));
  const left = h("main", { class: "left" }, banner, previewWrap, review.el, question);
  const panel = h(
    "aside",
    { class: "panel" },
    state,
    student,
    fee,
    toast,
    checks,
    h("div", { class: "counts" }, today, queue, lastSaved, slot, online),
    h("div", { class: "tools" }, codeInput, h("div", { class: "buttons" }, langBtn, confirmBtn, settingsBtn, reviewBtn), header),
  );
  const screen = h("div", { class: "station" }, left, panel, hints);
  root.replaceChildren(screen);

  let lastFrame: DecodedFrame | null = null;
  let checksSig = "";
  let toastSig = "(not drawn yet)";
  let lang: Lang = "zh-CN";

  const session = new Session(backend, {
    sounds: opts.sounds ?? true,
    onChange: (m, ev) => {
      if (ev && ev.kind === "session" && ev.event === "live") {
        renderPanel(m);
        renderToast(m);
        redraw(m);
      } else {
        render(m);
      }
    },
    onError: (e) => showLocalError(e.message_zh, e.message_en, e.code),
  });

  function showLocalError(message_zh: string, message_en: string, code: string) {
    session.update((m) => ({ ...m, toast: { kind: "error", code, message_zh, message_en, until: Date.now() + 6000 } }));
    if (!session.model) {
      toast.hidden = false;
      setAttr(toast, "data-kind", "error");
      setText(toast, `${message_zh} / ${message_en}`);
    }
  }

  function press(k: Key) {
    if (k === "shoot") mark("shoot");
    document.body.dataset.lastPress = k; // what the end-to-end tests read when a step fails
    backend.press(k).catch((e) => {
      const err = asAppError(e);
      showLocalError(err.message_zh, err.message_en, err.code);
    });
  }

  function scan(text: string) {
    mark("scan");
    backend.scan(text).catch((e) => {
      const err = asAppError(e);
      showLocalError(err.message_zh, err.message_en, err.code);
    });
  }

  function onInput(i: Input) {
    if (i.type === "scan") return scan(i.text);
    const phase = session.model?.phase.phase ?? "waiting_for_code";
    const a = actionFor(i.key, phase);
    if (!a) return;
    if (a.type === "settings") location.hash = "#settings";
    else press(a.key);
  }

  codeInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const text = codeInput.value.trim();
      codeInput.value = "";
      if (text) scan(text);
      codeInput.blur();
    } else if (e.key === "Escape") {
      codeInput.value = "";
      codeInput.blur();
    } else if (e.key === "F2") {
      location.hash = "#settings";
    }
  });
  langBtn.addEventListener("click", () => {
    const next = otherLang(lang);
    backend
      .setLanguage(next)
      .then(() => session.update((m) => ({ ...m, language: next })))
      .catch((e) => {
        const err = asAppError(e);
        showLocalError(err.message_zh, err.message_en, err.code);
      });
    langBtn.blur();
  });
  confirmBtn.addEventListener("click", () => {
    backend.openConfirmWindow().catch((e) => {
      const err = asAppError(e);
      showLocalError(err.message_zh, err.message_en, err.code);
    });
    confirmBtn.blur();
  });
  settingsBtn.addEventListener("click", () => (location.hash = "#settings"));
  reviewBtn.addEventListener("click", () => (location.hash = "#supervisor"));
  // Ctrl+Shift+S: the supervisor's review, from anywhere on the screen (the code field too).
  const onChord = (e: KeyboardEvent) => {
    if (e.repeat || !isReviewChord(e)) return;
    e.preventDefault();
    location.hash = "#supervisor";
  };
  document.addEventListener("keydown", onChord);

  function renderPanel(m: Model) {
    const now = Date.now();
    const d = displayFor(m, now);
    setAttr(state, "data-state", d.key);
    state.className = `state ${d.className}`;
    const sig = `${d.label}|${d.secondary}`;
    if (state.dataset.sig !== sig) {
      state.dataset.sig = sig;
      state.replaceChildren(h("div", { class: "label" }, d.label), h("div", { class: "secondary" }, d.secondary));
    }
    const who = studentOf(m.phase) ?? (d.key === "saved" ? m.savedStudent : null);
    setText(student, who ?? "");
    const f = feeOf(m);
    fee.hidden = f === null;
    setAttr(fee, "data-fee", f ?? "");
    fee.className = f === null ? "" : f === "unpaid" ? "c-amber" : "c-green";
    setText(fee, f === null ? "" : t(m.language, "fee.line", { fee: feeText(m.language, f) }));

    const list = m.phase.phase === "review" ? m.phase.checks : m.phase.phase === "framing" ? (m.live?.checks ?? []) : [];
    const pending = m.phase.phase === "framing" ? (m.live?.pending ?? []) : [];
    const sigC = m.language + JSON.stringify(list) + pending.join();
    if (sigC !== checksSig) {
      checksSig = sigC;
      checks.replaceChildren(...failingFirst(list).map((c) => checkRow(c, m.language)), ...pending.map((id) => pendingRow(id, m.language)));
    }
  }

  function renderToast(m: Model) {
    const now = Date.now();
    const tt = m.toast && m.toast.until > now ? m.toast : null;
    // Rules the live list already shows failing, with their fixes, right below.
    const shown = new Set(m.phase.phase === "framing" ? (m.live?.checks ?? []).filter((c) => !c.pass).map((c) => c.id) : []);
    const sig = tt ? m.language + JSON.stringify(tt) + [...shown].join() : "";
    if (sig === toastSig) return;
    toastSig = sig;
    if (!tt) {
      toast.hidden = true;
      toast.removeAttribute("data-kind");
      toast.replaceChildren();
      return;
    }
    toast.hidden = false;
    setAttr(toast, "data-kind", tt.kind);
    // The title in the screen's language; the message below it in both, a line each. A shot
    // refused for named rules shows those rules and their fixes instead of the message, which
    // only says to fix what is listed (and would push the panel's counts out of sight). A rule
    // the live list below already shows failing, with its fix, is named here in a short run of
    // names; a rule only the shutter's judgement found (a hat) gets its own line and fix.
    const title = t(m.language, `toast.${tt.kind}`);
    const failing = tt.kind === "refused" ? tt.failing : [];
    const rows: (Node | string)[] = [h("div", { class: "toast-title" }, title)];
    if (failing.length === 0) {
      rows.push(h("div", { class: "toast-msg" }, tt.message_zh), h("div", { class: "toast-msg en" }, tt.message_en));
    } else {
      const ul = h("ul", { class: "toast-failing" });
      for (const c of failing) {
        if (shown.has(c.id)) {
          ul.append(h("li", { "data-check": c.id, class: "short" }, `✗ ${checkTitle(m.language, c.id)}`));
          continue;
        }
        const fix = pick(m.language, c.fix_zh ?? "", c.fix_en ?? "") || pick(m.language, c.message_zh, c.message_en);
        ul.append(h("li", { "data-check": c.id }, `✗ ${checkTitle(m.language, c.id)} ${formatMeasure(c.id, c.value, false)} — ${fix}`));
      }
      rows.push(ul);
    }
    toast.replaceChildren(...rows);
  }

  function render(m: Model) {
    lang = m.language;
    document.body.dataset.phase = m.phase.phase;
    document.documentElement.lang = lang;
    renderPanel(m);
    renderToast(m);
    const q = m.queue;
    const pace = q.pace_per_hour === null ? t(lang, "queue.pace_unknown") : String(Math.round(q.pace_per_hour));
    setText(today, t(lang, "queue.today", { today: q.today, pace, plan: q.plan_per_hour }));
    lastSaved.hidden = m.savedStudent === null;
    setAttr(lastSaved, "data-student", m.savedStudent ?? "");
    setText(lastSaved, m.savedStudent === null ? "" : t(lang, "queue.last_saved", { who: m.savedStudent, time: clock(m.savedUntil - SAVED_MS) }));
    const waiting = q.pending + q.uploading;
    setText(queue, t(lang, "queue.line", { pending: waiting, uploaded: q.uploaded, failed: q.failed }));
    setAttr(queue, "data-pending", String(q.pending));
    setAttr(queue, "data-uploading", String(q.uploading));
    setAttr(queue, "data-uploaded", String(q.uploaded));
    setAttr(queue, "data-failed", String(q.failed));
    queue.classList.toggle("has-failed", q.failed > 0);
    slot.hidden = q.slot === null;
    setAttr(slot, "data-state", q.slot?.state ?? "");
    slot.className = q.slot ? `c-${PACE_COLOURS[q.slot.state]}` : "";
    setText(slot, q.slot ? slotLine(lang, q.slot) : "");
    const on = q.online === null ? "unknown" : String(q.online);
    setAttr(online, "data-online", on);
    online.className = `online-${on}`;
    setText(online, q.online === null ? t(lang, "online.unknown") : q.online ? t(lang, "online.yes") : t(lang, "online.no", { pending: waiting }));

    // Camera banner.
    const cam = m.camera;
    const camText =
      cam.state === "problem" && cam.problem
        ? `${cam.problem.message_zh} / ${cam.problem.message_en}`
        : cam.state === "problem"
          ? `${t("zh-CN", "camera.problem")} / ${t("en", "camera.problem")}`
          : cam.state === "ended"
            ? `${t("zh-CN", "camera.ended")} / ${t("en", "camera.ended")}`
            : "";
    banner.hidden = camText === "";
    setAttr(banner, "data-camera", cam.state);
    setText(banner, camText);
    previewWrap.classList.toggle("grey", cam.state === "problem" || cam.state === "ended");
    setText(noPicture, lastFrame ? "" : cam.state === "starting" ? t(lang, "camera.starting") : t(lang, "overlay.no_picture"));

    // Left side: preview, review in place, or a question.
    const phase = m.phase;
    const inReview = phase.phase === "review";
    review.el.hidden = !inReview;
    previewWrap.hidden = inReview;
    if (phase.phase === "review") review.update(phase, lang);
    if (phase.phase === "confirm_retake" || phase.phase === "confirm_switch") {
      question.hidden = false;
      const mark = phase.phase === "confirm_retake" ? phase.mark : null;
      const text =
        phase.phase === "confirm_retake"
          ? t(lang, mark ? "question.marked" : "question.retake", { student: phase.student })
          : t(lang, "question.switch", { current: phase.current, next: phase.next });
      const sig = lang + text + (mark ?? "");
      if (question.dataset.sig !== sig) {
        question.dataset.sig = sig;
        setAttr(question, "data-question", phase.phase === "confirm_retake" ? "retake" : "switch");
        question.replaceChildren(
          ...(mark ? [h("div", { id: "retake-mark", class: "retake-mark" }, t(lang, "question.mark", { mark }))] : []),
          h("div", { class: "question-text" }, text),
          h(
            "div",
            { class: "choices" },
            h("button", { id: "answer-yes", class: "choice accept", type: "button", onclick: () => press("yes") }, t(lang, "question.yes")),
            h("button", { id: "answer-no", class: "choice retake", type: "button", onclick: () => press("no") }, t(lang, "question.no")),
          ),
        );
      }
    } else {
      question.hidden = true;
      question.dataset.sig = "";
    }
    const hintKey = phase.phase === "review" ? "hints.review" : phase.phase === "confirm_retake" || phase.phase === "confirm_switch" ? "hints.question" : "hints.main";
    setText(hints, t(lang, hintKey));

    setText(langBtn, t(lang, "lang.switch"));
    setText(confirmBtn, t(lang, "button.open_confirm"));
    confirmBtn.classList.toggle("active", m.confirmWindow);
    setText(settingsBtn, "⚙ " + t(lang, "button.settings"));
    setText(reviewBtn, t(lang, "button.open_review"));
    codeInput.placeholder = `${t(lang, "code.placeholder")} / ${t(otherLang(lang), "code.placeholder")}`;
    setText(header, [m.station, m.room].filter(Boolean).join(" · "));
    redraw(m);
  }

  function redraw(m: Model | null) {
    if (!lastFrame) return;
    const f = lastFrame;
    if (canvas.width !== f.image.width || canvas.height !== f.image.height) {
      canvas.width = f.image.width;
      canvas.height = f.image.height;
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.drawImage(f.image, 0, 0);
    setAttr(canvas, "data-seq", String(f.seq));
    const live: Live | null = m?.live ?? null;
    // The overlay is drawn on the newest frame only while it was measured on a frame near it
    // (overlayFresh); a verdict from longer ago (a stalled analysis, a camera problem) is not
    // drawn as if it were current.
    const fresh = live !== null && overlayFresh(f.seq, live.seq);
    const drawn = live && m && fresh && m.phase.phase === "framing" && m.camera.state === "ok" && live.width > 0;
    if (drawn) {
      drawOverlay(ctx, overlayFor(live, canvas.width), m.language, canvas.width);
      setAttr(canvas, "data-live-seq", String(live.seq));
      measure("scanToVerdictMs", "scan");
    } else {
      setAttr(canvas, "data-live-seq", "");
    }
    // A verdict too far from the picture to draw is not shown as current in the list either.
    checks.classList.toggle("stale", !drawn && live !== null && m?.phase.phase === "framing");
  }

  const detachKeys = attachKeyboard(document, onInput);
  let stopPreview = () => {};
  if (opts.preview !== false) {
    stopPreview = startPreview(backend, (f) => {
      const hadFrame = lastFrame !== null;
      lastFrame?.image.close();
      lastFrame = f;
      if (!hadFrame) setText(noPicture, "");
      redraw(session.model);
      frameDrawn();
    });
  }
  void session.start();

  return () => {
    session.stop();
    detachKeys();
    document.removeEventListener("keydown", onChord);
    stopPreview();
    lastFrame?.image.close();
  };
}
