// Generated from the Rust types by src-tauri/src/bindings.rs: do not edit.
// Rewrite with `CAIJI_BLESS=1 cargo test -p caiji-app --test app bindings`.

export type Message = { 
/**
 * Chinese.
 */
message_zh: string, 
/**
 * English.
 */
message_en: string, };

export type CheckId = "single_face" | "head_top" | "eye_height" | "face_width" | "centered" | "roll" | "pose" | "bareheaded" | "ears_visible" | "eyebrows_visible" | "face_uncovered" | "eyes_open" | "no_red_eye" | "no_glare" | "no_tinted_glasses" | "mouth_closed" | "shoulders_level" | "background_color" | "background_uniform" | "no_border_or_text" | "exposure" | "light_balance" | "sharpness" | "hot_spot" | "clothing_contrast" | "format" | "dimensions" | "dpi" | "color_depth" | "quality" | "file_size" | "extension" | "comment_seal";

export type Check = { 
/**
 * Which rule.
 */
id: CheckId, 
/**
 * Whether it holds.
 */
pass: boolean, 
/**
 * The measured value, when the rule measures a number.
 */
value: number | null, 
/**
 * The limit, as a person reads it ("200–300", "≥ 60", "light_blue").
 */
limit: string, 
/**
 * Chinese message: what holds, or what is wrong and what to do.
 */
message_zh: string, 
/**
 * English message: the same.
 */
message_en: string, 
/**
 * What the photographer should do about a failing check, in Chinese ("靠近一点").
 */
fix_zh: string | null, 
/**
 * The same in English ("move closer").
 */
fix_en: string | null, };

export type Verdict = "pass" | "fail";

export type Point = { 
/**
 * Column.
 */
x: number, 
/**
 * Row.
 */
y: number, };

export type Rect = { 
/**
 * Left edge.
 */
x: number, 
/**
 * Top edge.
 */
y: number, 
/**
 * Width.
 */
width: number, 
/**
 * Height.
 */
height: number, };

export type Live = { 
/**
 * The camera frame's sequence number (a JS number: exact below 2^53, a century of frames).
 */
seq: number, 
/**
 * Frame width.
 */
width: number, 
/**
 * Frame height.
 */
height: number, 
/**
 * Pass or fail.
 */
verdict: Verdict, 
/**
 * Every photo rule judged on this frame, passing or not.
 */
checks: Array<Check>, 
/**
 * The photo rules not judged on this frame: those judged once per photo
 * ([`caiji_vision::ONCE_PER_PHOTO_RULES`]) until the live probe answers for this student
 * (the head cover), or until the shutter (the border and text rule). The list of rules
 * keeps its length while the probe's answer is awaited. Empty when no face was measured.
 */
pending: Array<CheckId>, 
/**
 * The face box, when a face was found.
 */
face: Rect | null, 
/**
 * The eye on the image's left.
 */
eye_left: Point | null, 
/**
 * The eye on the image's right.
 */
eye_right: Point | null, 
/**
 * Top of the hair.
 */
head_top_y: number | null, 
/**
 * The face's horizontal centre.
 */
face_center_x: number | null, 
/**
 * The 3:4 crop this frame plans (the shutter plans the photo's again on the cheeks' width
 * and its budget), or the nearest miss; `None` when none can be planned.
 */
crop: Rect | null, 
/**
 * Whether `crop` is a compliant one (its geometry: the bands and width). Other rules can
 * still fail: ready to shoot is `compliant` with a passing `verdict`.
 */
compliant: boolean, };

export type QueueSummary = { 
/**
 * Students photographed and accepted today (a retake counts once).
 */
today: number, 
/**
 * Waiting to upload.
 */
pending: number, 
/**
 * Being uploaded.
 */
uploading: number, 
/**
 * At the collector.
 */
uploaded: number, 
/**
 * Refused for good by the collector.
 */
failed: number, 
/**
 * Whether the collector answered last time; `None` when there is none or nothing was sent.
 */
online: boolean | null, 
/**
 * Students per hour over the last half hour; `None` until its shots span five minutes
 * (two students a few seconds apart are no pace to plan by).
 */
pace_per_hour: number | null, 
/**
 * The plan: 30 students per 12 minutes.
 */
plan_per_hour: number, 
/**
 * This room's slot of the timetable now (or its next one today), with its pace.
 */
slot: SlotPace | null, };

export type CameraPhase = "starting" | "ok" | "problem" | "ended";

export type CameraState = { 
/**
 * Where it is.
 */
state: CameraPhase, 
/**
 * The source's name.
 */
name: string, 
/**
 * What is wrong, in `Problem`.
 */
problem: Message | null, };

export type Language = "zh-CN" | "en";

export type Phase = { "phase": "waiting_for_code" } | { "phase": "confirm_retake", 
/**
 * Masked display of the student.
 */
student: string, 
/**
 * A supervisor's open request to photograph the student again: why, and who asked.
 */
mark: string | null, } | { "phase": "framing", 
/**
 * Masked display of the student.
 */
student: string, } | { "phase": "confirm_switch", 
/**
 * The current student.
 */
current: string, 
/**
 * The new one.
 */
next: string, } | { "phase": "review", 
/**
 * Masked display of the student.
 */
student: string, 
/**
 * JPEG quality.
 */
quality: number, 
/**
 * File size.
 */
bytes: number, 
/**
 * Which review this is (the page asks for the photo by it).
 */
photo: number, 
/**
 * The rules the photo passed.
 */
checks: Array<Check>, };

export type Event = { "event": "phase" } & Phase | { "event": "code_rejected", 
/**
 * Chinese.
 */
message_zh: string, 
/**
 * English.
 */
message_en: string, } | { "event": "live" } & Live | { "event": "shot_refused", 
/**
 * The failing checks of the last frame.
 */
failing: Array<Check>, 
/**
 * Chinese.
 */
message_zh: string, 
/**
 * English.
 */
message_en: string, } | { "event": "fee", 
/**
 * The new mark.
 */
fee: Fee, } | { "event": "queued", 
/**
 * Shot id.
 */
shot_id: string, 
/**
 * Masked display.
 */
student: string, } | { "event": "error", 
/**
 * Stable code for the UI to branch on.
 */
code: string, 
/**
 * Chinese.
 */
message_zh: string, 
/**
 * English.
 */
message_en: string, };

export type StationEvent = { "kind": "session" } & Event | { "kind": "queue", 
/**
 * The new summary.
 */
queue: QueueSummary, } | { "kind": "camera_problem", 
/**
 * Chinese.
 */
message_zh: string, 
/**
 * English.
 */
message_en: string, } | { "kind": "camera_ok" } | { "kind": "camera_ended" } | { "kind": "language", 
/**
 * The new language.
 */
language: Language, } | { "kind": "restarted" } | { "kind": "confirm_window", 
/**
 * Whether it is open now.
 */
open: boolean, };

export type Snapshot = { 
/**
 * The session's phase.
 */
phase: Phase, 
/**
 * The camera.
 */
camera: CameraState, 
/**
 * Today's queue.
 */
queue: QueueSummary, 
/**
 * This station's name.
 */
station: string, 
/**
 * Its room.
 */
room: string, 
/**
 * The UI language.
 */
language: Language, 
/**
 * The last live verdict while framing.
 */
last_live: Live | null, 
/**
 * Whether the student's window is open.
 */
confirm_window: boolean, 
/**
 * The current student's fee mark, once known.
 */
fee: Fee | null, };

export type Settings = { 
/**
 * `auto`, `demo`, `usb:N`, `video:FILE` or `folder:DIR`.
 */
camera: string, 
/**
 * The camera mode ("1920×1080 MJPEG 30 fps"); `None` lets the station choose.
 */
camera_mode: string | null, 
/**
 * This station's name, recorded on every shot and sent with every upload.
 */
station: string, 
/**
 * The room it stands in.
 */
room: string, 
/**
 * The school's intake server; empty starts a collector on this machine (a demo, or a
 * station that hands its photos over later).
 */
intake_url: string, 
/**
 * The station's token at the intake server.
 */
token: string, 
/**
 * A PEM certificate to trust for an `https://` intake server (the school's CA, or the
 * collector's own certificate); empty: the system's roots only.
 */
intake_ca: string, 
/**
 * The station key file; empty: `station.key` in the data directory.
 */
key_file: string, 
/**
 * The UI language.
 */
language: Language, };

export type CameraChoice = { 
/**
 * The setting's value: `demo`, `usb:0`, …
 */
id: string, 
/**
 * What a person reads.
 */
label: string, 
/**
 * The modes it offers ("1920×1080 MJPEG 30 fps"); empty for the demo.
 */
modes: Array<string>, 
/**
 * Why it cannot be used now (busy, no permission).
 */
problem: Message | null, };

export type AppError = { 
/**
 * `settings`, `key`, `store`, `model`, `collector`, `camera`.
 */
code: string, 
/**
 * Chinese.
 */
message_zh: string, 
/**
 * English.
 */
message_en: string, };

export type Key = "shoot" | "accept" | "retake" | "cancel" | "yes" | "no" | "fee";

export type Fee = "paid" | "exempt" | "unpaid";

export type Slot = { 
/**
 * `YYYY-MM-DD`.
 */
date: string, 
/**
 * Start, minutes after midnight (China Standard Time).
 */
start: number, 
/**
 * End, minutes after midnight.
 */
end: number, 
/**
 * The college or class (both, when the file has both columns).
 */
group: string, 
/**
 * The room, as the station's setting names it.
 */
room: string, 
/**
 * Students expected.
 */
expected: number, 
/**
 * Whether `expected` came from the 12-minutes-per-30 rule (the file left it empty).
 */
expected_derived: boolean, 
/**
 * The file's row it came from.
 */
row: number, };

export type SlotPace = { 
/**
 * The slot.
 */
slot: Slot, 
/**
 * Students with at least one (not voided) shot in it.
 */
photographed: number, 
/**
 * Shots beyond each student's first.
 */
retakes: number, 
/**
 * Shutter presses refused.
 */
refused: number, 
/**
 * Minutes until the slot ends (0 once it has).
 */
minutes_left: number, 
/**
 * Students photographed per hour so far.
 */
per_hour: number, 
/**
 * Students the plan expects by now.
 */
planned_by_now: number, 
/**
 * `photographed - planned_by_now`: ahead when positive.
 */
lead: number, 
/**
 * The lead in minutes of work at the planned rate.
 */
lead_minutes: number, 
/**
 * Ahead, behind, …
 */
state: PaceState, };

export type PaceState = "upcoming" | "ahead" | "on_plan" | "behind" | "done";

export type RowError = { 
/**
 * The spreadsheet's row number.
 */
row: number, 
/**
 * The column's letters, when one cell is at fault.
 */
column: string | null, 
/**
 * Chinese.
 */
message_zh: string, 
/**
 * English.
 */
message_en: string, };

export type ReviewStatus = { 
/**
 * A PIN was set (else the first use sets one).
 */
pin_set: boolean, 
/**
 * Who opened the review, while it is open.
 */
who: string | null, 
/**
 * Seconds until the next PIN is taken (after wrong ones).
 */
wait_seconds: number, };

export type ReviewShot = { 
/**
 * Shot id.
 */
id: string, 
/**
 * The student (code key): shots of one student share it.
 */
student: string, 
/**
 * Masked name · ID tail · masked student number, as the code shows them.
 */
display: string, 
/**
 * `HH:MM:SS`.
 */
time: string, 
/**
 * The room.
 */
room: string, 
/**
 * The slot it fell in (`08:00–08:40 计算机学院`), or empty.
 */
slot: string, 
/**
 * `pass` or `fail`.
 */
verdict: string, 
/**
 * `pending`, `uploading`, `uploaded`, `failed`.
 */
upload: string, 
/**
 * Why the last upload failed.
 */
upload_error: string | null, 
/**
 * The student's current photo (not replaced by a retake, not voided).
 */
current: boolean, 
/**
 * Replaced by a later shot of the same student.
 */
superseded: boolean, 
/**
 * Voided by a supervisor, and why.
 */
voided: string | null, 
/**
 * The fee mark.
 */
fee: Fee | null, 
/**
 * An open retake mark on the student: why.
 */
retake_mark: string | null, };

export type HourCount = { 
/**
 * The hour (0–23).
 */
hour: number, 
/**
 * Shots uploaded.
 */
uploaded: number, 
/**
 * Waiting or uploading.
 */
waiting: number, 
/**
 * Refused by the collector.
 */
failed: number, 
/**
 * Voided.
 */
voided: number, };

export type ReviewDay = { 
/**
 * `YYYY-MM-DD`.
 */
day: string, 
/**
 * Every shot of the day, oldest first.
 */
shots: Array<ReviewShot>, 
/**
 * Every slot of the day in the timetable, with its pace (this station's shots).
 */
pace: Array<SlotPace>, 
/**
 * Shots taken outside every slot.
 */
unscheduled: number, 
/**
 * Shots per hour by state.
 */
hours: Array<HourCount>, };

export type CheckRecord = { 
/**
 * Which rule.
 */
id: CheckId, 
/**
 * Whether it held.
 */
pass: boolean, 
/**
 * The measured value.
 */
value: number | null, 
/**
 * The limit.
 */
limit: string, 
/**
 * Chinese message.
 */
message_zh: string, 
/**
 * English message.
 */
message_en: string, 
/**
 * What to do, in Chinese.
 */
fix_zh: string | null, 
/**
 * What to do, in English.
 */
fix_en: string | null, };

export type ShotDetail = { 
/**
 * The row.
 */
shot: ReviewShot, 
/**
 * Every rule of the standard, judged on the queued file (all 33 when it decodes).
 */
checks: Array<CheckRecord>, 
/**
 * Bytes of the JPEG.
 */
bytes: number, 
/**
 * SHA-256 of the JPEG.
 */
sha256: string, 
/**
 * The audit trail: (time, event, detail).
 */
audit: Array<[string, string, string]>, };

export type TimetableImport = { 
/**
 * Slots now in the timetable (0 when the file had errors: nothing was imported).
 */
imported: number, 
/**
 * Every bad row.
 */
errors: Array<RowError>, };

export type Naming = "shot_id" | "code_key" | "student_no";

export type RoomPace = { 
/**
 * The room.
 */
room: string, 
/**
 * The stations that sent its photos.
 */
stations: Array<string>, 
/**
 * Students with a current photo at the collector.
 */
students: number, 
/**
 * Photos received.
 */
photos: number, 
/**
 * Its slots today, paced by what arrived.
 */
pace: Array<SlotPace>, };

