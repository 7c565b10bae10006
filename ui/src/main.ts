// Caiji front end: one page, the view chosen by the URL hash (#station default, #confirm,
// #settings, #supervisor: the supervisor's review behind its PIN).
import "./style.css";
import { tauriBackend, type Backend } from "./lib/backend/tauri";
import { mountConfirm } from "./views/confirm";
import { mountSettings } from "./views/settings";
import { mountStation, type ViewOptions } from "./views/station";
import { mountSupervisor } from "./views/supervisor";

export type View = "station" | "confirm" | "settings" | "supervisor";

export function viewFor(hash: string): View {
  const v = hash.replace(/^#/, "");
  return v === "confirm" || v === "settings" || v === "supervisor" ? v : "station";
}

export function mount(root: HTMLElement, backend: Backend, view: View, opts: ViewOptions = {}): () => void {
  document.body.dataset.view = view;
  if (view === "confirm") return mountConfirm(root, backend, opts);
  if (view === "settings") return mountSettings(root, backend);
  if (view === "supervisor") return mountSupervisor(root, backend);
  return mountStation(root, backend, opts);
}

export function start(root: HTMLElement, backend: Backend, opts: ViewOptions = {}): () => void {
  let current = viewFor(location.hash);
  let unmount = mount(root, backend, current, opts);
  const onHash = () => {
    const next = viewFor(location.hash);
    if (next === current) return;
    unmount();
    current = next;
    unmount = mount(root, backend, current, opts);
  };
  window.addEventListener("hashchange", onHash);
  return () => {
    window.removeEventListener("hashchange", onHash);
    unmount();
  };
}

const root = document.getElementById("app");
if (root && !import.meta.env.VITEST) start(root, tauriBackend());
