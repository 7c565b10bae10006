// A Backend for DOM tests: every call is recorded; each command answers from `answers` (a value,
// or a function of the arguments; a thrown value is the command's rejection).
import type { StationEvent } from "../src/lib/backend/bindings";
import type { Backend } from "../src/lib/backend/tauri";
import { snapshot } from "./fixtures";

type Commands = Omit<Backend, "onEvent" | "preview" | "reviewUrl" | "shotUrl">;
type Answer<K extends keyof Commands> = Awaited<ReturnType<Commands[K]>> | ((...args: Parameters<Commands[K]>) => Awaited<ReturnType<Commands[K]>>);
export type Answers = { [K in keyof Commands]?: Answer<K> };

export class FakeBackend {
  calls: [string, unknown[]][] = [];
  handlers: ((e: StationEvent) => void)[] = [];
  backend: Backend;

  constructor(public answers: Answers = {}) {
    const call =
      (name: keyof Commands) =>
      async (...args: unknown[]) => {
        this.calls.push([name, args]);
        const a = (this.answers as Record<string, unknown>)[name] ?? defaults[name];
        return typeof a === "function" ? (a as (...x: unknown[]) => unknown)(...args) : a;
      };
    const names: (keyof Commands)[] = [
      "snapshot", "press", "scan", "settings", "saveSettings", "cameras", "openConfirmWindow", "setLanguage",
      "reviewStatus", "setPin", "unlock", "lockReview", "reviewDay", "reviewShot", "retryUpload", "markRetake",
      "voidShot", "importTimetable", "exportDays", "exportPhotos", "exportSummary", "allRooms",
    ];
    const b = Object.fromEntries(names.map((n) => [n, call(n)])) as unknown as Backend;
    b.onEvent = async (handler) => {
      this.handlers.push(handler);
      return () => (this.handlers = this.handlers.filter((x) => x !== handler));
    };
    b.preview = async () => null;
    b.reviewUrl = (photo) => `caiji://localhost/review/${photo}`;
    b.shotUrl = (id, width) => `caiji://localhost/shot/${id}?w=${width}`;
    this.backend = b;
  }

  emit(e: StationEvent): void {
    for (const h of this.handlers) h(e);
  }

  /** The arguments of every call of `name`. */
  of(name: keyof Commands): unknown[][] {
    return this.calls.filter(([n]) => n === name).map(([, a]) => a);
  }
}

const locked = { pin_set: true, who: null, wait_seconds: 0 };
const defaults: Partial<Record<keyof Commands, unknown>> = {
  snapshot: snapshot(),
  reviewStatus: locked,
  lockReview: locked,
  allRooms: [],
};

/** Lets pending promises (and the renders after them) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
