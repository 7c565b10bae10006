// The supervisor review's tools: import a timetable (every bad row named), export days as a
// spreadsheet, the day's photos to a folder, and the printable summary, each showing what it wrote.
import type { Naming } from "../lib/backend/bindings";
import { h, setText } from "../lib/dom";
import { t, type MessageKey } from "../lib/i18n";
import { defaultPaths, errorText, isDay, localError, rowErrorText, stepDay, typedDay } from "../lib/review";
import type { ReviewHost } from "./review-host";

const NAMINGS: Naming[] = ["shot_id", "code_key", "student_no"];

/** A day field that reads "2026-06-10" whatever the machine's locale: WebKit's own date field
 * follows the process's locale, not the page's language (12/07/2026 on an en-US desktop), and
 * the queue, the exports and the timetable all write days this way. What is typed is tidied
 * when it is committed ([`typedDay`]: full-width digits, "2026/6/1"); a day that is still not
 * one is marked, and the page's own handler says so. ↑ and ↓ step a day, as in a date field.
 * Set it from code with [`setDay`]. */
export function dayField(id: string, value = ""): HTMLInputElement {
  const input = h("input", { id, type: "text", class: "day", value, inputmode: "numeric", maxlength: "16", placeholder: "YYYY-MM-DD", spellcheck: "false", autocomplete: "off" });
  input.addEventListener("input", () => mark(input));
  // Before the page's own change handlers (this one is added first): they read the tidied day.
  input.addEventListener("change", () => setDay(input, typedDay(input.value)));
  input.addEventListener("keydown", (e) => {
    if ((e.key !== "ArrowUp" && e.key !== "ArrowDown") || !isDay(input.value)) return;
    e.preventDefault();
    setDay(input, stepDay(input.value, e.key === "ArrowUp" ? 1 : -1));
    input.dispatchEvent(new Event("change"));
  });
  return input;
}

/** Write a day into a [`dayField`], its mark following. */
export function setDay(input: HTMLInputElement, day: string): void {
  input.value = day;
  mark(input);
}

function mark(input: HTMLInputElement): void {
  input.setAttribute("aria-invalid", String(input.value !== "" && !isDay(input.value)));
}

export type ReviewTools = {
  importBox: HTMLElement;
  exportBox: HTMLElement;
  /** A new day is shown: the export dates and the paths not typed by hand follow it. */
  setDay(day: string): void;
  /** The rows the filter shows now (for "only the rows shown"). */
  setShown(ids: string[], filtered: boolean): void;
};

export function buildReviewTools(host: ReviewHost): ReviewTools {
  const { backend, lang } = host;
  const L = (k: MessageKey, vars?: Record<string, string | number>) => t(lang, k, vars);
  let day = "";
  let shown: string[] = [];

  const importPath = h("input", { id: "import-path", type: "text", spellcheck: "false", placeholder: L("import.path") });
  const importSubmit = h("button", { id: "import-submit", type: "button" }, L("import.submit"));
  const importResult = h("div", { id: "import-result", class: "sv-result", hidden: true });
  const importBox = h("section", { class: "sv-tool" }, h("h2", {}, L("import.title")), h("div", { class: "sv-line" }, importPath, importSubmit), importResult);

  const exportFrom = dayField("export-from");
  const exportTo = dayField("export-to");
  const exportOut = h("input", { id: "export-out", type: "text", spellcheck: "false" });
  const exportDays = h("button", { id: "export-days", type: "button" }, L("export.days"));
  const exportDir = h("input", { id: "export-dir", type: "text", spellcheck: "false" });
  const naming = h("select", { id: "export-naming" }, ...NAMINGS.map((n) => h("option", { value: n }, L(`naming.${n}`))));
  const onlyShown = h("input", { id: "export-filtered", type: "checkbox" });
  const onlyShownLabel = h("span", {});
  const exportPhotos = h("button", { id: "export-photos", type: "button" }, L("export.photos"));
  const summaryOut = h("input", { id: "export-summary-out", type: "text", spellcheck: "false" });
  const exportSummary = h("button", { id: "export-summary", type: "button" }, L("export.summary"));
  const exportResult = h("div", { id: "export-result", class: "sv-result", hidden: true });
  for (const el of [exportOut, exportDir, summaryOut]) el.addEventListener("input", () => (el.dataset.edited = "1"));
  const exportBox = h(
    "section",
    { class: "sv-tool" },
    h("h2", {}, L("export.title")),
    h("div", { class: "sv-line" }, h("span", {}, L("export.from")), exportFrom, h("span", {}, L("export.to")), exportTo),
    h("div", { class: "sv-line" }, h("label", { class: "grow" }, h("span", {}, L("export.out")), exportOut), exportDays),
    h("div", { class: "sv-line" }, h("label", { class: "grow" }, h("span", {}, L("export.dir")), exportDir), h("label", {}, h("span", {}, L("export.naming")), naming)),
    h("div", { class: "sv-line" }, h("label", { class: "check" }, onlyShown, onlyShownLabel), exportPhotos),
    h("div", { class: "sv-line" }, h("label", { class: "grow" }, h("span", {}, L("export.summary_out")), summaryOut), exportSummary),
    exportResult,
  );

  function setDefaults() {
    const from = exportFrom.value || day;
    const p = defaultPaths(from, exportTo.value || from);
    if (!exportOut.dataset.edited) exportOut.value = p.days;
    if (!exportDir.dataset.edited) exportDir.value = defaultPaths(day).photos;
    if (!summaryOut.dataset.edited) summaryOut.value = defaultPaths(day).summary;
  }
  exportFrom.addEventListener("change", setDefaults);
  exportTo.addEventListener("change", setDefaults);

  /** The field's value, or the page's own error in `where` (and the field focused). */
  function need(input: HTMLInputElement, code: "path" | "day", where: HTMLElement): string | null {
    const v = input.value.trim();
    if (v && (code !== "day" || isDay(v))) return v;
    where.hidden = false;
    where.dataset.ok = "false";
    where.dataset.code = code;
    setText(where, errorText(lang, localError(code)));
    input.focus();
    return null;
  }

  function busy(button: HTMLButtonElement, work: Promise<unknown>) {
    button.disabled = true;
    void work.finally(() => (button.disabled = false));
  }

  importSubmit.addEventListener("click", () => {
    const path = need(importPath, "path", importResult);
    if (path === null) return;
    importResult.hidden = true;
    busy(
      importSubmit,
      backend
        .importTimetable(path)
        .then((r) => {
          if (!host.live()) return;
          importResult.hidden = false;
          importResult.dataset.ok = String(r.errors.length === 0);
          importResult.dataset.imported = String(r.imported);
          importResult.dataset.code = "";
          if (r.errors.length === 0) {
            importResult.replaceChildren(h("div", {}, L("import.done", { n: r.imported })));
            host.reload();
          } else {
            importResult.replaceChildren(
              h("div", {}, L("import.failed", { n: r.errors.length })),
              h("ul", { class: "sv-errors" }, ...r.errors.map((e) => h("li", { "data-row": e.row, "data-column": e.column ?? "" }, rowErrorText(lang, e)))),
            );
          }
        })
        .catch((e) => {
          importResult.dataset.ok = "false";
          host.fail(e, importResult);
        }),
    );
  });
  importPath.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      importSubmit.click();
    }
  });

  const exported = (kind: string, lines: string[], head: string) => {
    if (!host.live()) return;
    exportResult.hidden = false;
    exportResult.dataset.ok = "true";
    exportResult.dataset.kind = kind;
    exportResult.dataset.code = "";
    exportResult.replaceChildren(h("div", {}, head), ...(lines.length ? [h("ul", { class: "sv-files" }, ...lines.map((f) => h("li", { class: "mono" }, f)))] : []));
  };
  const exportFailed = (e: unknown) => {
    exportResult.dataset.ok = "false";
    host.fail(e, exportResult);
  };

  exportDays.addEventListener("click", () => {
    const from = need(exportFrom, "day", exportResult);
    const to = from === null ? null : need(exportTo, "day", exportResult);
    const out = to === null ? null : need(exportOut, "path", exportResult);
    if (from === null || to === null || out === null) return;
    busy(
      exportDays,
      backend
        .exportDays(from, to, out)
        .then((files) => exported("days", files, L("export.files")))
        .catch(exportFailed),
    );
  });

  exportPhotos.addEventListener("click", () => {
    const dir = need(exportDir, "path", exportResult);
    if (dir === null || !day) return;
    const ids = onlyShown.checked ? shown : [];
    // An empty list means "every current photo of the day": never send it for an empty filter.
    if (onlyShown.checked && ids.length === 0) return exported("photos", [], L("export.photos_done", { n: 0, dir }));
    busy(
      exportPhotos,
      backend
        .exportPhotos(day, ids, dir, naming.value as Naming)
        .then((n) => exported("photos", [dir], L("export.photos_done", { n, dir })))
        .catch(exportFailed),
    );
  });

  exportSummary.addEventListener("click", () => {
    const out = need(summaryOut, "path", exportResult);
    if (out === null || !day) return;
    busy(
      exportSummary,
      backend
        .exportSummary(day, out)
        .then(() => exported("summary", [out], L("export.files")))
        .catch(exportFailed),
    );
  });

  return {
    importBox,
    exportBox,
    setDay(d) {
      day = d;
      setDay(exportFrom, d);
      setDay(exportTo, d);
      setDefaults();
    },
    setShown(ids, filtered) {
      shown = ids;
      setText(onlyShownLabel, L("export.filtered", { n: ids.length }));
      onlyShown.disabled = !filtered;
      if (!filtered) onlyShown.checked = false;
    },
  };
}
