// One shot in the supervisor's review (#shot-detail): the whole photo, every check with its value
// and limit, the audit trail, and the three actions, each asking a reason in the page first.
import type { ReviewShot, ShotDetail } from "../lib/backend/bindings";
import { h, setText } from "../lib/dom";
import { formatKb, formatMeasure } from "../lib/format";
import { checkTitle, pick, t, type MessageKey } from "../lib/i18n";
import { errorText, feeText, localError, shotStatus, statusText, uploadText, verdictText } from "../lib/review";
import type { ReviewHost } from "./review-host";

type Action = "retry" | "retake" | "void";

export type ShotDetailView = {
  el: HTMLDivElement;
  /** Shows shot `id`; `keep` keeps the reason form and the last result (after an action). */
  open(id: string, keep?: boolean): void;
  /** The open shot read again, its form and result kept, when `row` (its row in the table just
   * read) differs from what the detail shows, or always with `force`. A reading already under
   * way is followed by one more when it answers, never by a second one at the same time. */
  follow(row: ReviewShot | undefined, force: boolean): void;
  hide(): void;
  /** Esc: the reason form first, then the detail; false when neither was open. */
  escape(): boolean;
};

/** `onClose` runs when the detail hides (the table drops its selection). */
export function buildShotDetail(host: ReviewHost, onClose: () => void): ShotDetailView {
  const { backend, lang } = host;
  const L = (k: MessageKey, vars?: Record<string, string | number>) => t(lang, k, vars);
  const title = h("h2", { id: "detail-title" });
  const close = h("button", { id: "detail-close", type: "button" }, L("detail.close"));
  const error = h("div", { id: "detail-error", class: "sv-error", role: "alert", hidden: true });
  const photo = h("img", { id: "detail-photo", alt: "", draggable: "false" });
  const facts = h("dl", { id: "detail-facts", class: "sv-facts" });
  const retry = h("button", { id: "action-retry", type: "button", "data-action": "retry" }, L("action.retry"));
  const retake = h("button", { id: "action-retake", type: "button", "data-action": "retake" }, L("action.retake"));
  const voidB = h("button", { id: "action-void", type: "button", class: "danger", "data-action": "void" }, L("action.void"));
  const reasonLabel = h("span", { id: "action-label" });
  const reason = h("input", { id: "action-reason", type: "text", autocomplete: "off" });
  const confirm = h("button", { id: "action-confirm", type: "submit", class: "primary" }, L("action.confirm"));
  const cancel = h("button", { id: "action-cancel", type: "button" }, L("action.cancel"));
  const form = h("form", { id: "action-form", class: "sv-reason", hidden: true }, h("label", {}, reasonLabel, reason), h("div", { class: "sv-line" }, confirm, cancel));
  const result = h("div", { id: "action-result", class: "sv-result", hidden: true });
  const checks = h("table", { id: "detail-checks", class: "sheet compact" });
  const audit = h("table", { id: "detail-audit", class: "sheet compact" });
  const el = h(
    "div",
    { id: "shot-detail", class: "sv-detail", hidden: true, role: "dialog" },
    h(
      "div",
      { class: "sv-detail-box" },
      h("header", { class: "sv-detail-head" }, title, close),
      error,
      h(
        "div",
        { class: "sv-detail-body" },
        h("div", { class: "sv-detail-photo" }, photo),
        h(
          "div",
          { class: "sv-detail-info" },
          facts,
          h("div", { class: "sv-actions" }, retry, retake, voidB),
          form,
          result,
          h("h3", {}, L("detail.checks")),
          checks,
          h("h3", {}, L("detail.audit")),
          audit,
        ),
      ),
    ),
  );
  let shown: ShotDetail | null = null;
  /** Readings of the shot asked for so far. */
  let reads = 0;
  /** The newest reading has not answered yet. */
  let busy = false;
  /** Read again when the newest reading answers: the shot changed while it was under way. */
  let again = false;
  /** The newest reading failed: what is shown is older than the shot. */
  let stale = false;

  const ask = (a: Action) => {
    form.hidden = false;
    form.dataset.action = a;
    setText(reasonLabel, L(`action.reason_${a}`));
    reason.value = "";
    result.hidden = true;
    reason.focus();
  };
  retry.addEventListener("click", () => ask("retry"));
  retake.addEventListener("click", () => ask("retake"));
  voidB.addEventListener("click", () => ask("void"));
  cancel.addEventListener("click", () => (form.hidden = true));
  close.addEventListener("click", () => hide());
  el.addEventListener("click", (e) => {
    if (e.target === el) hide();
  });

  const say = (text: string, ok: boolean, code = "") => {
    result.hidden = false;
    result.dataset.ok = String(ok);
    result.dataset.code = code;
    setText(result, text);
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const a = form.dataset.action as Action | undefined;
    if (!shown || !a || confirm.disabled) return;
    const why = reason.value.trim();
    if (!why) {
      say(errorText(lang, localError("reason")), false, "reason");
      reason.focus();
      return;
    }
    const id = shown.shot.id;
    confirm.disabled = true;
    setText(confirm, L("action.working"));
    const done = (key: MessageKey, ok: boolean) => {
      if (!host.live()) return;
      form.hidden = true;
      say(L(key), ok);
      host.reload();
      open(id, true);
    };
    const call =
      a === "retry"
        ? backend.retryUpload(id, why).then((r) => done(r ? "action.retried" : "action.not_retried", r))
        : a === "retake"
          ? backend.markRetake(id, why).then(() => done("action.marked", true))
          : backend.voidShot(id, why).then((r) => done(r ? "action.voided" : "action.not_voided", r));
    call
      .catch((err) => {
        result.dataset.ok = "false";
        host.fail(err, result);
      })
      .finally(() => {
        confirm.disabled = false;
        setText(confirm, L("action.confirm"));
      });
  });

  function render(d: ShotDetail) {
    shown = d;
    const s = d.shot;
    el.dataset.shot = s.id;
    el.dataset.upload = s.upload;
    el.dataset.status = shotStatus(s);
    setText(title, `${s.display} · ${s.time}`);
    const url = backend.shotUrl(s.id, 0);
    if (photo.getAttribute("src") !== url) photo.src = url;
    const fact = (k: MessageKey | string, v: string, cls = "") => [h("dt", {}, k.includes(".") ? L(k as MessageKey) : k), h("dd", { class: cls }, v)];
    facts.replaceChildren(
      ...fact("col.room", s.room),
      ...fact("col.slot", s.slot || "—"),
      ...fact("col.verdict", verdictText(lang, s.verdict), s.verdict === "fail" ? "c-red" : ""),
      ...fact("col.upload", uploadText(lang, s.upload) + (s.upload_error ? ` — ${s.upload_error}` : ""), s.upload === "failed" ? "c-red" : ""),
      ...fact("col.status", statusText(lang, s)),
      ...fact("col.fee", feeText(lang, s.fee)),
      ...fact("col.mark", s.retake_mark ?? "—"),
      ...fact("detail.size", L("detail.kb", { kb: formatKb(d.bytes) })),
      ...fact("SHA-256", d.sha256, "mono"),
    );
    retry.hidden = !(s.upload === "failed" && s.voided === null);
    voidB.hidden = s.voided !== null;
    if (form.dataset.action === "retry" && retry.hidden) form.hidden = true;
    if (form.dataset.action === "void" && voidB.hidden) form.hidden = true;
    checks.replaceChildren(
      h("thead", {}, h("tr", {}, h("th", {}, ""), ...(["dcol.rule", "dcol.value", "dcol.limit", "dcol.message"] as MessageKey[]).map((k) => h("th", {}, L(k))))),
      h(
        "tbody",
        {},
        ...d.checks.map((c) => {
          const fix = pick(lang, c.fix_zh ?? "", c.fix_en ?? "");
          return h(
            "tr",
            { "data-check": c.id, "data-pass": String(c.pass), class: c.pass ? "" : "fail" },
            h("td", { class: c.pass ? "c-green" : "c-red" }, c.pass ? "✓" : "✗"),
            h("td", {}, checkTitle(lang, c.id)),
            // The file's size in the unit of its limit (20–40 KB), not in bytes.
            // A rule with nothing to measure (the format, the seal) shows a dash, not a blank.
            h("td", { class: "num" }, c.value === null ? "—" : c.id === "file_size" ? L("detail.kb", { kb: formatKb(c.value) }) : formatMeasure(c.id, c.value, c.pass)),
            h("td", {}, c.limit),
            h("td", {}, pick(lang, c.message_zh, c.message_en), !c.pass && fix ? h("div", { class: "sv-small" }, fix) : null),
          );
        }),
      ),
    );
    audit.replaceChildren(
      h("thead", {}, h("tr", {}, ...(["acol.time", "acol.event", "acol.detail"] as MessageKey[]).map((k) => h("th", {}, L(k))))),
      h("tbody", {}, ...d.audit.map(([time, event, detail]) => h("tr", { "data-event": event }, h("td", { class: "num" }, time), h("td", {}, event), h("td", {}, detail)))),
    );
  }

  /** Shows shot `id`; `keep` keeps the reason form and the last result (after an action). */
  function open(id: string, keep = false) {
    error.hidden = true;
    if (!keep) {
      form.hidden = true;
      result.hidden = true;
    }
    if (shown?.shot.id !== id) {
      shown = null;
      photo.removeAttribute("src");
      setText(title, L("common.loading"));
      facts.replaceChildren();
      checks.replaceChildren();
      audit.replaceChildren();
      retry.hidden = true;
      voidB.hidden = true;
    }
    el.dataset.shot = id;
    el.hidden = false;
    // Only the newest reading is drawn: the first of a shot judges its file (about a second;
    // the station keeps the judgement for the next), so an older reading can answer after a
    // newer one, and would put back what an action changed.
    const asked = ++reads;
    busy = true;
    again = false;
    // The answer is drawn even when the shot changed meanwhile; the one more reading follows.
    const answered = (ok: boolean, draw: () => void) => {
      if (asked !== reads) return;
      busy = false;
      stale = !ok;
      if (!host.live() || el.dataset.shot !== id) return;
      draw();
      if (again && !el.hidden) open(id, true);
    };
    backend
      .reviewShot(id)
      .then((d) => answered(true, () => render(d)))
      .catch((e) => answered(false, () => host.fail(e, error)));
  }

  function follow(row: ReviewShot | undefined, force: boolean) {
    const id = el.dataset.shot;
    if (el.hidden || id === undefined) return;
    // A shot not in the day just read (another day chosen) is left as it is.
    if (!force && row === undefined) return;
    if (!force && shown !== null && !busy && !stale && JSON.stringify(row) === JSON.stringify(shown.shot)) return;
    if (busy) again = true;
    else open(id, true);
  }

  function hide() {
    el.hidden = true;
    form.hidden = true;
    shown = null;
    photo.removeAttribute("src");
    el.removeAttribute("data-shot");
    onClose();
  }

  return {
    el,
    open,
    follow,
    hide,
    /** Esc: the reason form first, then the detail; false when neither was open. */
    escape(): boolean {
      if (el.hidden) return false;
      if (!form.hidden) form.hidden = true;
      else hide();
      return true;
    },
  };
}

