// Wires the scanner/keyboard classifier to the document.
import { ScanClassifier, type Input } from "./keys";

function inFormField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
}

export function attachKeyboard(doc: Document, onInput: (i: Input) => void, now: () => number = () => performance.now()): () => void {
  const classifier = new ScanClassifier();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const emit = (inputs: Input[]) => inputs.forEach(onInput);
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const d = classifier.deadline();
    if (d !== null) timer = setTimeout(() => {
      timer = null;
      emit(classifier.tick(now()));
      schedule();
    }, Math.max(0, d - now()) + 1);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.isComposing || e.ctrlKey || e.altKey || e.metaKey) return;
    if (inFormField(e.target)) return; // the code field submits its own Enter
    if (e.repeat && (e.key === " " || e.key === "Enter")) {
      e.preventDefault();
      return;
    }
    if (e.key === " " || e.key === "Enter") e.preventDefault(); // no button activation, no scrolling
    emit(classifier.feed(e.key, now()));
    schedule();
  };
  doc.addEventListener("keydown", onKey);
  return () => {
    doc.removeEventListener("keydown", onKey);
    if (timer) clearTimeout(timer);
  };
}
