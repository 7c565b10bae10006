// Marks on <body data-…> for the figures script (benches/app_figures.rs in src-tauri): when the
// first preview frame was drawn, how many were, scan → first verdict drawn, Space → photo shown.
// Milliseconds from the page's start (performance.now()); nothing is sent anywhere.

const marks: Record<string, number> = {};
const body = () => (typeof document === "undefined" ? null : document.body);

export function mark(name: string): void {
  marks[name] = performance.now();
}

/** Record `name` = now − the mark `since` (once per mark), when that mark is set. */
export function measure(name: string, since: string): void {
  const t0 = marks[since];
  const b = body();
  if (t0 === undefined || !b) return;
  delete marks[since];
  b.dataset[name] = (performance.now() - t0).toFixed(1);
}

let frames = 0;

/** A preview frame was drawn. */
export function frameDrawn(): void {
  const b = body();
  if (!b) return;
  frames++;
  if (frames === 1) b.dataset.firstFrameMs = performance.now().toFixed(1);
  b.dataset.frames = String(frames);
}
