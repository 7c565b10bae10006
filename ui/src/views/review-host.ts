// What the parts of the supervisor's review (the shot detail, the tools) need from the view.
import type { Backend } from "../lib/backend/tauri";
import type { Lang } from "../lib/i18n";

export type ReviewHost = {
  backend: Backend;
  lang: Lang;
  /** Whether an answer arriving now still belongs to the screen shown. */
  live(): boolean;
  /** A refused call: back to the PIN on "locked", else its message shown in `where`. */
  fail(e: unknown, where: HTMLElement): void;
  /** Reads the day again (after an action or an import changed it). */
  reload(): void;
};
