// Settings (#settings): camera, station, room, intake, token, key file, language.
import type { CameraChoice, Settings } from "../lib/backend/bindings";
import type { Backend } from "../lib/backend/tauri";
import { h } from "../lib/dom";
import { pick, t, type Lang, type MessageKey } from "../lib/i18n";
import { asAppError } from "../lib/session";

export type CameraKind = "choice" | "video" | "folder";

/** Splits a camera setting into the select's value and a path for video:/folder:. */
export function splitCamera(camera: string): { select: string; path: string } {
  for (const p of ["video:", "folder:"]) if (camera.startsWith(p)) return { select: p, path: camera.slice(p.length) };
  return { select: camera, path: "" };
}

export function joinCamera(select: string, path: string): string {
  return select === "video:" || select === "folder:" ? select + path.trim() : select;
}

export function mountSettings(root: HTMLElement, backend: Backend): () => void {
  let lang: Lang = "zh-CN";
  const form = h("form", { id: "settings-form", class: "settings", autocomplete: "off" });
  root.replaceChildren(h("div", { class: "settings-screen" }, form));
  form.append(h("div", { class: "settings-loading" }, "…"));

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      location.hash = "#station";
    }
  };
  document.addEventListener("keydown", onKey);
  let alive = true;

  Promise.all([backend.settings(), backend.cameras().catch(() => [] as CameraChoice[])])
    .then(([settings, cameras]) => alive && build(settings, cameras))
    .catch((e) => {
      if (!alive) return;
      const err = asAppError(e);
      form.replaceChildren(
        h("div", { id: "settings-error", class: "error" }, `${t("zh-CN", "settings.load_failed")} / ${t("en", "settings.load_failed")}: ${err.message_zh} / ${err.message_en}`),
        h("button", { type: "button", onclick: () => (location.hash = "#station") }, t(lang, "settings.back")),
      );
    });

  function build(s: Settings, cameras: CameraChoice[]) {
    lang = s.language;
    const L = (k: MessageKey) => t(lang, k);
    const current = splitCamera(s.camera);
    const camera = h("select", { id: "set-camera", name: "camera" });
    const options: [string, string][] = [["auto", L("settings.camera_auto")]];
    if (!cameras.some((c) => c.id === "demo")) options.push(["demo", L("settings.camera_demo")]);
    for (const c of cameras) options.push([c.id, c.problem ? `${c.label} — ${pick(lang, c.problem.message_zh, c.problem.message_en)}` : c.label]);
    options.push(["video:", L("settings.camera_video")], ["folder:", L("settings.camera_folder")]);
    if (!options.some(([v]) => v === current.select)) options.push([current.select, current.select]);
    for (const [v, label] of options) camera.append(h("option", { value: v }, label));
    camera.value = current.select;

    const path = h("input", { id: "set-camera-path", name: "camera_path", type: "text", value: current.path });
    const pathRow = h("label", { class: "row" }, h("span", {}, L("settings.path")), path);
    const mode = h("select", { id: "set-camera-mode", name: "camera_mode" });
    const modeRow = h("label", { class: "row" }, h("span", {}, L("settings.mode")), mode);
    const fillModes = (keep: string | null) => {
      const choice = cameras.find((c) => c.id === camera.value);
      mode.replaceChildren(h("option", { value: "" }, L("settings.mode_auto")));
      for (const m of choice?.modes ?? []) mode.append(h("option", { value: m }, m));
      if (keep && !(choice?.modes ?? []).includes(keep)) mode.append(h("option", { value: keep }, keep));
      mode.value = keep ?? "";
      modeRow.hidden = !choice || choice.modes.length === 0;
      pathRow.hidden = !(camera.value === "video:" || camera.value === "folder:");
    };
    fillModes(s.camera_mode);
    camera.addEventListener("change", () => fillModes(null));

    const text = (id: string, value: string, type = "text") => h("input", { id: `set-${id}`, name: id, type, value });
    const station = text("station", s.station);
    const room = text("room", s.room);
    const intake = text("intake_url", s.intake_url);
    const token = text("token", s.token, "password");
    const intakeCa = text("intake_ca", s.intake_ca);
    const keyFile = text("key_file", s.key_file);
    const language = h("select", { id: "set-language", name: "language" }, h("option", { value: "zh-CN" }, "中文"), h("option", { value: "en" }, "English"));
    language.value = s.language;
    const error = h("div", { id: "settings-error", class: "error", hidden: true });
    const save = h("button", { id: "settings-save", type: "submit", class: "primary" }, L("settings.save"));
    const back = h("button", { id: "settings-back", type: "button", onclick: () => (location.hash = "#station") }, L("settings.back"));
    const row = (k: MessageKey, input: HTMLElement) => h("label", { class: "row" }, h("span", {}, L(k)), input);

    form.replaceChildren(
      h("h1", {}, L("settings.title")),
      row("settings.camera", camera),
      pathRow,
      modeRow,
      row("settings.station", station),
      row("settings.room", room),
      row("settings.intake_url", intake),
      row("settings.token", token),
      row("settings.intake_ca", intakeCa),
      row("settings.key_file", keyFile),
      row("settings.language", language),
      error,
      h("div", { class: "actions" }, save, back),
    );
    camera.focus();

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if ((camera.value === "video:" || camera.value === "folder:") && !path.value.trim()) {
        error.hidden = false;
        error.textContent = `${t("zh-CN", "settings.path_missing")} / ${t("en", "settings.path_missing")}`;
        path.focus();
        return;
      }
      const next: Settings = {
        camera: joinCamera(camera.value, path.value),
        camera_mode: modeRow.hidden || mode.value === "" ? null : mode.value,
        station: station.value.trim(),
        room: room.value.trim(),
        intake_url: intake.value.trim(),
        token: token.value,
        intake_ca: intakeCa.value.trim(),
        key_file: keyFile.value.trim(),
        language: language.value === "en" ? "en" : "zh-CN",
      };
      save.disabled = true;
      save.textContent = L("settings.saving");
      error.hidden = true;
      backend
        .saveSettings(next)
        .then(() => {
          if (alive) location.hash = "#station";
        })
        .catch((err) => {
          const a = asAppError(err);
          error.hidden = false;
          error.dataset.code = a.code;
          error.replaceChildren(h("div", {}, a.message_zh), h("div", {}, a.message_en));
        })
        .finally(() => {
          save.disabled = false;
          save.textContent = L("settings.save");
        });
    });
  }

  return () => {
    alive = false;
    document.removeEventListener("keydown", onKey);
  };
}
