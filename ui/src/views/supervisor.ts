// The supervisor's review (#supervisor), behind the supervisor PIN: a day's shots as a table a
// school office recognises, one shot's detail and the three actions on it (each with a reason),
// counts and a bar chart by hour, the slots' pace, every room's pace from the collector, the
// timetable import and the exports. Leaving the view locks the review again: the photographer's
// window must not stay open on every student's photo.
//
//   mount ─▶ review_status ─┬─ locked ─▶ PIN screen ─▶ set_pin / unlock ─┐
//                           └─ open ──────────────────────────────────────┴▶ review ─▶ review_day …
//   any call answering "locked" (idle lock) ─▶ PIN screen again
import type { AppError, ReviewDay, ReviewStatus, RoomPace, SlotPace } from "../lib/backend/bindings";
import type { Backend } from "../lib/backend/tauri";
import { h, setText } from "../lib/dom";
import { formatValue } from "../lib/format";
import { t, type Lang, type MessageKey } from "../lib/i18n";
import {
  errorAction,
  errorText,
  FILTERS,
  feeText,
  filterCounts,
  hourBars,
  isDay,
  leadText,
  localError,
  PACE_COLOURS,
  PIN_MIN_DIGITS,
  rowsFor,
  shotState,
  shotStatus,
  signed,
  slotLine,
  slotTime,
  statusText,
  studentCounts,
  uploadText,
  verdictText,
  type Filter,
  type Row,
  type ShotState,
} from "../lib/review";
import { asAppError } from "../lib/session";
import type { ReviewHost } from "./review-host";
import { buildReviewTools, dayField, setDay } from "./review-tools";
import { buildShotDetail } from "./shot-detail";

const COLUMNS: MessageKey[] = ["col.photo", "col.student", "col.n", "col.time", "col.room", "col.slot", "col.verdict", "col.upload", "col.status", "col.fee", "col.mark"];

export function mountSupervisor(root: HTMLElement, backend: Backend): () => void {
  let lang: Lang = "zh-CN";
  let alive = true;
  const listeners: (() => void)[] = [];
  /** Bumped on every screen change: answers for an older screen are dropped. */
  let gen = 0;
  let waitTimer: ReturnType<typeof setInterval> | null = null;
  /** What Esc does on the screen shown; returns false to leave the view. */
  let onEscape: () => boolean = () => false;
  /** Kept across a relock, so the supervisor comes back to the day and filter they left. */
  let lastWho = "";
  let chosenDay: string | null = null;
  let filter: Filter = "all";

  const L = (k: MessageKey, vars?: Record<string, string | number>) => t(lang, k, vars);
  const screen = h("div", { id: "supervisor", class: "supervisor" }, h("div", { class: "sv-loading" }, "…"));
  root.replaceChildren(screen);

  const leave = () => {
    location.hash = "#station";
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || e.isComposing) return;
    e.preventDefault();
    if (!onEscape()) leave();
  };
  document.addEventListener("keydown", onKey);

  const stopWait = () => {
    if (waitTimer) clearInterval(waitTimer);
    waitTimer = null;
  };

  const row = (k: MessageKey, input: HTMLElement) => h("label", { class: "sv-row" }, h("span", {}, L(k)), input);

  /** A refused call: back to the PIN on "locked", else its message in `where`. */
  function fail(e: unknown, where: HTMLElement, g: number) {
    if (!alive || g !== gen) return;
    const a = asAppError(e);
    if (errorAction(a.code) === "relock") {
      relock(a);
      return;
    }
    where.hidden = false;
    where.dataset.code = a.code;
    setText(where, errorText(lang, a));
  }

  function relock(notice: AppError | null) {
    const g = ++gen;
    backend
      .reviewStatus()
      .then((st) => alive && g === gen && showPin(st, notice))
      .catch(() => alive && g === gen && showPin({ pin_set: true, who: null, wait_seconds: 0 }, notice));
  }

  // --- The PIN ----------------------------------------------------------------------------

  function showPin(status: ReviewStatus, notice: AppError | null = null) {
    const g = ++gen;
    stopWait();
    const setting = !status.pin_set;
    const who = h("input", { id: "pin-who", name: "who", type: "text", autocomplete: "off", spellcheck: "false", value: lastWho });
    const code = h("input", { id: "pin-code", name: "pin", type: "password", inputmode: "numeric", autocomplete: "off" });
    const repeat = setting ? h("input", { id: "pin-repeat", name: "pin2", type: "password", inputmode: "numeric", autocomplete: "off" }) : null;
    const message = h("span", { class: "pin-message" });
    const wait = h("span", { id: "pin-wait", "data-seconds": "0" });
    const error = h("div", { id: "pin-error", class: "sv-error", role: "alert", hidden: true }, message, wait);
    const submit = h("button", { id: "pin-submit", type: "submit", class: "primary" }, L(setting ? "sv.pin_set_submit" : "sv.pin_submit"));
    const back = h("button", { id: "pin-back", type: "button", onclick: leave }, L("sv.back"));
    const form = h(
      "form",
      { id: "pin-form", class: "sv-pin", "data-mode": setting ? "set" : "unlock", autocomplete: "off" },
      h("h1", {}, L(setting ? "sv.pin_title_set" : "sv.pin_title")),
      row("sv.who", who),
      row("sv.pin", code),
      repeat ? row("sv.pin_repeat", repeat) : null,
      setting ? h("div", { class: "sv-hint" }, L("sv.pin_rule", { n: PIN_MIN_DIGITS })) : null,
      error,
      h("div", { class: "actions" }, submit, back),
    );
    screen.replaceChildren(h("div", { class: "sv-pin-screen" }, form));
    onEscape = () => false;
    (who.value ? code : who).focus();

    const showError = (e: AppError | null) => {
      error.dataset.code = e?.code ?? "";
      setText(message, e ? errorText(lang, e) : "");
      error.hidden = !e && wait.textContent === "";
    };
    const countdown = (seconds: number) => {
      stopWait();
      let left = Math.ceil(seconds);
      const tick = () => {
        if (!alive || g !== gen) return stopWait();
        wait.dataset.seconds = String(Math.max(0, left));
        if (left <= 0) {
          stopWait();
          setText(wait, "");
          submit.disabled = false;
          error.hidden = message.textContent === "";
          return;
        }
        submit.disabled = true;
        setText(wait, t(lang, "err.pin_wait", { s: left }));
        error.hidden = false;
        left--;
      };
      tick();
      waitTimer = setInterval(tick, 1000);
    };
    if (notice) showError(notice);
    if (status.wait_seconds > 0) countdown(status.wait_seconds);

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (submit.disabled) return;
      const name = who.value.trim();
      if (!name) {
        showError(localError("who"));
        who.focus();
        return;
      }
      if (repeat && code.value !== repeat.value) {
        showError(localError("pin_mismatch"));
        repeat.value = "";
        repeat.focus();
        return;
      }
      lastWho = name;
      submit.disabled = true;
      (setting ? backend.setPin(name, code.value) : backend.unlock(name, code.value))
        .then((st) => {
          if (!alive || g !== gen) return;
          if (st.who) openReview(st);
          else showPin(st);
        })
        .catch(async (err) => {
          if (!alive || g !== gen) return;
          const a = asAppError(err);
          submit.disabled = false;
          code.value = "";
          if (repeat) repeat.value = "";
          // The countdown says it all for a wait; a wrong PIN may start one: ask how long.
          showError(errorAction(a.code) === "wait" ? null : a);
          const st = await backend.reviewStatus().catch(() => null);
          if (!alive || g !== gen) return;
          if (st && st.pin_set !== status.pin_set) return showPin(st, a); // set meanwhile elsewhere
          if (st && st.wait_seconds > 0) countdown(st.wait_seconds);
          else if (errorAction(a.code) === "wait") showError(a);
          code.focus();
        });
    });
  }

  // --- The review -------------------------------------------------------------------------

  function openReview(status: ReviewStatus) {
    const g = ++gen;
    stopWait();
    let day: ReviewDay | null = null;
    let rows: Row[] = [];
    let openId: string | null = null;
    const thumbs = new Map<string, HTMLImageElement>();

    // Header.
    const dayInput = dayField("review-day", chosenDay ?? "");
    const dayTab = h("button", { id: "day-tab", type: "button", class: "tab", "aria-selected": "true" }, L("sv.tab_day"));
    const roomsTab = h("button", { id: "rooms-tab", type: "button", class: "tab", "aria-selected": "false" }, L("sv.tab_rooms"));
    const refresh = h("button", { id: "review-refresh", type: "button" }, L("sv.refresh"));
    const lock = h("button", { id: "review-lock", type: "button", class: "lock" }, L("sv.lock"));
    const back = h("button", { id: "review-back", type: "button" }, L("sv.back"));
    const message = h("div", { id: "review-message", class: "sv-error", role: "alert", hidden: true });
    const head = h(
      "header",
      { class: "sv-head" },
      h("h1", {}, L("sv.title")),
      h("span", { id: "review-who", class: "sv-who" }, L("sv.who_open", { who: status.who ?? "" })),
      h("nav", { class: "tabs" }, dayTab, roomsTab),
      h("label", { class: "sv-day" }, h("span", {}, L("sv.day")), dayInput),
      refresh,
      h("span", { class: "spacer" }),
      lock,
      back,
    );

    // The day: filters, table, side panel.
    const filterButtons = new Map<Filter, HTMLButtonElement>();
    const filters = h("div", { class: "sv-filters", role: "toolbar" });
    for (const f of FILTERS) {
      const b = h("button", { id: `review-filter-${f}`, type: "button", class: "filter", "data-filter": f });
      b.addEventListener("click", () => {
        filter = f;
        renderTable();
      });
      filterButtons.set(f, b);
      filters.append(b);
    }
    const tbody = h("tbody", {});
    const table = h(
      "table",
      { id: "review-table", class: "sheet" },
      h("thead", {}, h("tr", {}, ...COLUMNS.map((k) => h("th", {}, L(k))))),
      tbody,
    );
    const counts = h("table", { id: "review-counts", class: "sv-counts" });
    const hours = h("div", { id: "review-hours", class: "sv-bars" });
    const paceBody = h("tbody", {});
    const paceTable = h(
      "table",
      { id: "pace-table", class: "sheet compact" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...(["pcol.time", "pcol.group", "pcol.done", "pcol.lead"] as MessageKey[]).map((k) =>
            h("th", {}, L(k)),
          ),
        ),
      ),
      paceBody,
    );
    const unscheduled = h("div", { id: "review-unscheduled", class: "sv-muted" });

    const host: ReviewHost = {
      backend,
      lang,
      live: () => alive && g === gen,
      fail: (e, where) => fail(e, where, g),
      reload: () => load(chosenDay),
    };
    const tools = buildReviewTools(host);

    const side = h(
      "aside",
      { class: "sv-side" },
      counts,
      h("h2", {}, L("sv.by_hour")),
      hours,
      h("h2", {}, L("sv.pace")),
      paceTable,
      unscheduled,
      tools.importBox,
      tools.exportBox,
    );
    const dayPane = h("section", { id: "day-pane", class: "sv-body" }, h("div", { class: "sv-main" }, filters, h("div", { class: "sv-table-wrap" }, table)), side);

    // All rooms.
    const roomsError = h("div", { id: "rooms-error", class: "sv-error", role: "alert", hidden: true });
    const roomsBody = h("tbody", {});
    const roomsTable = h(
      "table",
      { id: "rooms-table", class: "sheet" },
      h("thead", {}, h("tr", {}, ...(["rooms.room", "rooms.stations", "rooms.students", "rooms.photos", "rooms.pace"] as MessageKey[]).map((k) => h("th", {}, L(k))))),
      roomsBody,
    );
    const roomsPane = h("section", { id: "rooms-pane", class: "sv-rooms", hidden: true }, roomsError, h("div", { class: "sv-table-wrap" }, roomsTable));

    // One shot.
    const detail = buildShotDetail(host, () => {
      openId = null;
      for (const tr of tbody.querySelectorAll("tr.selected")) tr.classList.remove("selected");
    });

    screen.replaceChildren(h("div", { class: "sv-review" }, head, message, dayPane, roomsPane), detail.el);

    // --- Loading and drawing ---

    /** The day `d` read again; the open shot's detail with it when `follow` asks or its row differs
     * from what the detail shows. */
    function load(d: string | null, follow = false) {
      message.hidden = true;
      backend
        .reviewDay(d)
        .then((rd) => {
          // An answer for a day the supervisor has since moved from (↑ held down) is not shown.
          if (!alive || g !== gen || (chosenDay !== null && rd.day !== chosenDay)) return;
          const changed = day?.day !== rd.day;
          day = rd;
          chosenDay = rd.day;
          // Not while the supervisor is typing another day into the field: the uploads reload
          // the day every second or so.
          if (document.activeElement !== dayInput) setDay(dayInput, rd.day);
          if (changed) {
            for (const img of thumbs.values()) img.removeAttribute("src");
            thumbs.clear();
            tools.setDay(rd.day);
          }
          renderTable();
          renderSide();
          // The open shot's detail follows its row: read again (the file's judgement is kept
          // by the station, so this is a database read) when the row differs from what the
          // detail shows, or on Refresh.
          if (openId !== null && (follow || !changed)) detail.follow(rd.shots.find((s) => s.id === openId), follow);
        })
        .catch((e) => fail(e, message, g));
    }

    function thumb(id: string): HTMLImageElement {
      // One element per shot for the day: switching filters never fetches a thumbnail twice.
      let img = thumbs.get(id);
      if (!img) {
        img = h("img", { class: "thumb", loading: "lazy", alt: "", width: 60, height: 80, src: backend.shotUrl(id, 160), draggable: "false" });
        thumbs.set(id, img);
      }
      return img;
    }

    function renderTable() {
      const shots = day?.shots ?? [];
      rows = rowsFor(shots, filter);
      const n = filterCounts(shots);
      for (const [f, b] of filterButtons) {
        b.classList.toggle("active", f === filter);
        b.setAttribute("aria-pressed", String(f === filter));
        b.dataset.count = String(n[f]);
        setText(b, `${L(`filter.${f}`)} ${n[f]}`);
      }
      tbody.replaceChildren(...(rows.length ? rows.map(rowEl) : [h("tr", { class: "empty" }, h("td", { colspan: COLUMNS.length }, day ? L("sv.empty") : L("common.loading")))]));
      tools.setShown(
        rows.map((r) => r.shot.id),
        filter !== "all",
      );
    }

    function rowEl(r: Row): HTMLTableRowElement {
      const s = r.shot;
      const status = shotStatus(s);
      const cls = ["shot", `state-${shotState(s)}`, `status-${status}`, r.first ? "group-start" : "", r.size > 1 ? "in-group" : "", s.id === openId ? "selected" : ""];
      const tr = h(
        "tr",
        {
          class: cls.filter(Boolean).join(" "),
          tabindex: 0,
          "data-shot": s.id,
          "data-student": s.student,
          "data-upload": s.upload,
          "data-current": String(s.current),
          "data-status": status,
          "data-state": shotState(s),
        },
        h("td", { class: "thumb-cell" }, thumb(s.id)),
        h("td", { class: "who" }, s.display),
        h("td", { class: "n" }, r.size > 1 ? `${r.index}/${r.size}` : ""),
        h("td", { class: "num" }, s.time),
        h("td", {}, s.room),
        h("td", {}, s.slot),
        h("td", { class: s.verdict === "fail" ? "c-red" : "" }, verdictText(lang, s.verdict)),
        h(
          "td",
          { class: `upload upload-${s.upload}` },
          uploadText(lang, s.upload),
          s.upload_error ? h("div", { class: "sv-small" }, s.upload_error) : null,
        ),
        h("td", { class: `status ${status}` }, status === "current" ? `● ${statusText(lang, s)}` : statusText(lang, s)),
        h("td", { class: `fee fee-${s.fee ?? "unknown"}` }, feeText(lang, s.fee)),
        h("td", { class: "mark" }, s.retake_mark ?? ""),
      );
      tr.addEventListener("click", () => openDetail(s.id));
      tr.addEventListener("keydown", (e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          openDetail(s.id);
        }
      });
      return tr;
    }

    function renderSide() {
      if (!day) return;
      const n = filterCounts(day.shots);
      const st = studentCounts(day.shots);
      const line = (key: string, label: string, value: number, cls = "") => h("tr", { "data-count": key, class: cls }, h("th", {}, label), h("td", { class: "num" }, String(value)));
      counts.replaceChildren(
        line("students", L("sv.students"), st.students),
        line("shots", L("sv.shots"), n.all),
        line("uploaded", L("filter.uploaded"), n.uploaded, "c-green"),
        line("waiting", L("filter.waiting"), n.waiting),
        line("failed", L("filter.failed"), n.failed, n.failed > 0 ? "c-red" : ""),
        line("retakes", L("filter.retakes"), st.retaken),
        line("voided", L("filter.voided"), n.voided),
      );
      hours.replaceChildren(
        ...hourBars(day.hours).map((b) =>
          h(
            "div",
            { class: "sv-bar", "data-hour": b.hour, "data-total": b.total, title: `${String(b.hour).padStart(2, "0")}:00 · ${b.total}` },
            h("div", { class: "sv-bar-total" }, b.total ? String(b.total) : ""),
            h(
              "div",
              { class: "sv-bar-track" },
              barStack(b.percent, b.parts),
            ),
            h("div", { class: "sv-bar-label" }, `${b.hour}:00`),
          ),
        ),
      );
      paceBody.replaceChildren(...(day.pace.length ? day.pace.map(paceRow) : [h("tr", { class: "empty" }, h("td", { colspan: 4 }, L("sv.no_slots")))]));
      setText(unscheduled, day.unscheduled ? L("sv.unscheduled", { n: day.unscheduled }) : "");
    }

    function barStack(percent: number, parts: Record<ShotState, number>): HTMLDivElement {
      const stack = h("div", { class: "sv-bar-stack" });
      stack.style.height = `${percent}%`;
      for (const k of ["voided", "failed", "waiting", "uploaded"] as const) {
        if (!parts[k]) continue;
        const seg = h("div", { class: `seg seg-${k}`, "data-part": k, "data-n": parts[k] });
        seg.style.flexGrow = String(parts[k]);
        stack.append(seg);
      }
      return stack;
    }

    /** One slot in four columns, each a figure with what qualifies it beneath, so the table
     * fits the side panel without scrolling sideways: the time over its room, the class, the
     * photographed over the expected with the retakes and refusals beneath, and the lead
     * (what is read first) over the minutes left and the pace per hour. */
    function paceRow(sp: SlotPace): HTMLTableRowElement {
      const colour = PACE_COLOURS[sp.state];
      const under = (text: string) => h("div", { class: "sv-small" }, text);
      const expected = sp.slot.expected_derived ? `${sp.slot.expected}*` : String(sp.slot.expected);
      return h(
        "tr",
        { "data-state": sp.state, "data-row": sp.slot.row, class: `pace-${sp.state}` },
        h("td", { class: "num" }, slotTime(sp), under(sp.slot.room)),
        h("td", {}, sp.slot.group),
        h(
          "td",
          { class: "num", title: sp.slot.expected_derived ? L("pace.derived") : null },
          `${sp.photographed}/${expected}`,
          under(L("pace.counts", { retakes: sp.retakes, refused: sp.refused })),
        ),
        h(
          "td",
          {},
          h("div", { class: `lead c-${colour}`, "data-lead": signed(sp.lead) }, leadText(lang, sp)),
          under(L("pace.rate", { left: sp.minutes_left, per_hour: formatValue(Math.round(sp.per_hour)) })),
        ),
      );
    }

    // --- Rooms ---

    function loadRooms() {
      roomsError.hidden = true;
      roomsBody.replaceChildren(h("tr", { class: "empty" }, h("td", { colspan: 5 }, L("common.loading"))));
      backend
        .allRooms(isDay(dayInput.value) ? dayInput.value : null)
        .then((rooms) => alive && g === gen && renderRooms(rooms))
        .catch((e) => {
          if (!alive || g !== gen) return;
          roomsBody.replaceChildren();
          fail(e, roomsError, g);
        });
    }

    function renderRooms(rooms: RoomPace[]) {
      roomsBody.replaceChildren(
        ...(rooms.length
          ? rooms.map((r) =>
              h(
                "tr",
                { "data-room": r.room },
                h("td", { class: "who" }, r.room),
                h("td", {}, r.stations.join("、")),
                h("td", { class: "num" }, String(r.students)),
                h("td", { class: "num" }, String(r.photos)),
                h("td", {}, h("ul", { class: "sv-slots" }, ...r.pace.map((sp) => h("li", { "data-state": sp.state, class: `c-${PACE_COLOURS[sp.state]}` }, slotLine(lang, sp))))),
              ),
            )
          : [h("tr", { class: "empty" }, h("td", { colspan: 5 }, L("rooms.empty")))]),
      );
    }

    function showTab(which: "day" | "rooms") {
      dayPane.hidden = which !== "day";
      roomsPane.hidden = which !== "rooms";
      dayTab.setAttribute("aria-selected", String(which === "day"));
      roomsTab.setAttribute("aria-selected", String(which === "rooms"));
      if (which === "rooms") loadRooms();
    }
    dayTab.addEventListener("click", () => showTab("day"));
    roomsTab.addEventListener("click", () => showTab("rooms"));

    // --- One shot ---

    function openDetail(id: string) {
      openId = id;
      for (const tr of tbody.querySelectorAll<HTMLTableRowElement>("tr[data-shot]")) tr.classList.toggle("selected", tr.dataset.shot === id);
      detail.open(id);
    }

    // --- Header ---

    dayInput.addEventListener("change", () => {
      if (isDay(dayInput.value)) {
        chosenDay = dayInput.value;
        load(chosenDay);
        if (!roomsPane.hidden) loadRooms();
      } else {
        message.hidden = false;
        message.dataset.code = "day";
        setText(message, errorText(lang, localError("day")));
      }
    });
    refresh.addEventListener("click", () => {
      load(chosenDay, true);
      if (!roomsPane.hidden) loadRooms();
    });
    lock.addEventListener("click", () => {
      const g2 = ++gen;
      backend
        .lockReview()
        .then((st) => alive && g2 === gen && showPin(st))
        .catch(() => alive && g2 === gen && relock(null));
    });
    back.addEventListener("click", leave);
    onEscape = () => detail.escape();

    renderTable();
    load(chosenDay);

    // Upload results reach the table as they happen: the station's queue summary changes with
    // each one (and every 15 s), and the day is read again, at most once a second.
    let again: ReturnType<typeof setTimeout> | null = null;
    backend
      .onEvent((ev) => {
        if (ev.kind !== "queue" || !alive || g !== gen || again) return;
        again = setTimeout(() => {
          again = null;
          if (alive && g === gen) load(chosenDay);
        }, 1000);
      })
      .then((off) => (alive ? listeners.push(off) : off()))
      .catch(() => {});
  }

  // --- Start ---

  Promise.all([
    backend
      .snapshot()
      .then((s) => s.language)
      .catch((): Lang => "zh-CN"),
    backend.reviewStatus(),
  ])
    .then(([l, status]) => {
      if (!alive) return;
      lang = l;
      document.documentElement.lang = l;
      if (status.who) openReview(status);
      else showPin(status);
    })
    .catch((e) => {
      if (!alive) return;
      const a = asAppError(e);
      screen.replaceChildren(
        h("div", { class: "sv-pin-screen" }, h("div", { class: "sv-pin" }, h("div", { id: "pin-error", class: "sv-error", "data-code": a.code }, `${a.message_zh} / ${a.message_en}`), h("button", { id: "pin-back", type: "button", onclick: leave }, L("sv.back")))),
      );
    });

  return () => {
    alive = false;
    gen++;
    stopWait();
    for (const off of listeners.splice(0)) off();
    document.removeEventListener("keydown", onKey);
    // Leaving the view closes the review: the photographer's window never stays open on it.
    backend.lockReview().catch(() => {});
  };
}
