// The student's window (#confirm): mirrors the station's state, nothing else.
import type { Key } from "../lib/backend/bindings";
import type { Backend } from "../lib/backend/tauri";
import { h, setAttr } from "../lib/dom";
import { otherLang, t, type Lang, type MessageKey } from "../lib/i18n";
import { attachKeyboard } from "../lib/keyboard";
import { confirmActionFor } from "../lib/keys";
import { asAppError, Session } from "../lib/session";
import type { Model } from "../lib/state";
import { buildReview } from "./review";
import type { ViewOptions } from "./station";

export type ConfirmMode = "wait" | "look" | "review" | "saved";

export function confirmMode(m: Model, now: number): ConfirmMode {
  switch (m.phase.phase) {
    case "review":
      return "review";
    case "framing":
      return "look";
    case "waiting_for_code":
      return now < m.savedUntil ? "saved" : "wait";
    default:
      return "wait";
  }
}

export function mountConfirm(root: HTMLElement, backend: Backend, _opts: ViewOptions = {}): () => void {
  const message = h("div", { class: "confirm-message" });
  const error = h("div", { id: "toast", hidden: true });
  const review = buildReview(backend, (k) => press(k));
  const screen = h("div", { class: "confirm-screen", id: "confirm", "data-mode": "wait" }, review.el, message, error);
  root.replaceChildren(screen);

  const press = (k: Key) =>
    backend.press(k).catch((e) => {
      const err = asAppError(e);
      error.hidden = false;
      setAttr(error, "data-kind", "error");
      error.textContent = `${err.message_zh} / ${err.message_en}`;
      setTimeout(() => (error.hidden = true), 5000);
    });

  const session = new Session(backend, { sounds: false, onChange: (m) => render(m) });

  function lines(lang: Lang, keys: MessageKey[], extra?: string | null) {
    const nodes: Node[] = [];
    if (extra) nodes.push(h("div", { class: "confirm-student" }, extra));
    for (const k of keys) nodes.push(h("div", { class: "confirm-line" }, t(lang, k)), h("div", { class: "confirm-line secondary" }, t(otherLang(lang), k)));
    return nodes;
  }

  let sig = "";
  function render(m: Model) {
    const mode = confirmMode(m, Date.now());
    setAttr(screen, "data-mode", mode);
    document.documentElement.lang = m.language;
    review.el.hidden = mode !== "review";
    message.hidden = mode === "review";
    if (m.phase.phase === "review") review.update(m.phase, m.language);
    const student = m.phase.phase === "framing" ? m.phase.student : null;
    const s = `${mode}|${m.language}|${student ?? ""}`;
    if (s === sig) return;
    sig = s;
    if (mode === "look") message.replaceChildren(...lines(m.language, ["confirm.look"], student));
    else if (mode === "saved") message.replaceChildren(...lines(m.language, ["confirm.saved"]));
    else if (mode === "wait") message.replaceChildren(...lines(m.language, ["confirm.wait"]));
    else message.replaceChildren();
  }

  const detach = attachKeyboard(document, (i) => {
    if (i.type === "scan") {
      backend.scan(i.text).catch(() => {});
      return;
    }
    const a = confirmActionFor(i.key, session.model?.phase.phase ?? "waiting_for_code");
    if (a && a.type === "press") void press(a.key);
  });
  void session.start();
  return () => {
    session.stop();
    detach();
  };
}
