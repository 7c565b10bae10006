// The student's confirm view: the final 480×640 photo, the rules it passed, and the two choices.
// Used in the #confirm window and in place on the station screen during review.
import type { Check, Key, Phase } from "../lib/backend/bindings";
import type { Backend } from "../lib/backend/tauri";
import { h, setAttr, setText } from "../lib/dom";
import { formatKb } from "../lib/format";
import { measure } from "../lib/timing";
import { checkTitle, otherLang, t, type Lang } from "../lib/i18n";

type Review = Extract<Phase, { phase: "review" }>;

export function rulesLine(lang: Lang, checks: Check[]): string {
  const failed = checks.filter((c) => !c.pass).length;
  const head = failed === 0 ? t(lang, "confirm.all_passed", { n: checks.length }) : t(lang, "confirm.some_failed", { failed, n: checks.length });
  const list = checks.map((c) => `${c.pass ? "✓" : "✗"}${checkTitle(lang, c.id)}`).join(" ");
  return `${head} · ${list}`;
}

function label(button: HTMLElement, lang: Lang, key: "confirm.accept" | "confirm.retake") {
  const text = t(lang, key) + "\n" + t(otherLang(lang), key);
  if (button.dataset.text === text) return;
  button.dataset.text = text;
  button.replaceChildren(h("span", {}, t(lang, key)), h("small", {}, t(otherLang(lang), key)));
}

export function buildReview(backend: Backend, press: (k: Key) => void) {
  const img = h("img", { id: "review-photo", alt: "", draggable: "false" });
  // Space → the photo on screen (the figures script reads it; see lib/timing.ts).
  img.addEventListener("load", () => measure("shootToPhotoMs", "shoot"));
  const rules = h("div", { class: "review-rules" });
  // Whose photo it is, masked as the station shows it: the student checks it is theirs.
  const who = h("div", { id: "review-student", class: "review-student" });
  const info = h("div", { class: "review-info" });
  const accept = h("button", { id: "review-accept", class: "choice accept", type: "button", onclick: () => press("accept") });
  const retake = h("button", { id: "review-retake", class: "choice retake", type: "button", onclick: () => press("retake") });
  const el = h("div", { class: "review", hidden: true }, who, h("div", { class: "review-photo-box" }, img), rules, info, h("div", { class: "choices" }, accept, retake));

  function update(phase: Review, lang: Lang) {
    const url = backend.reviewUrl(phase.photo);
    if (img.getAttribute("src") !== url) img.src = url;
    setAttr(el, "data-photo", String(phase.photo));
    setText(who, phase.student);
    setText(rules, rulesLine(lang, phase.checks));
    setText(info, t(lang, "confirm.info", { quality: phase.quality, kb: formatKb(phase.bytes) }));
    label(accept, lang, "confirm.accept");
    label(retake, lang, "confirm.retake");
  }
  return { el, update };
}
