// Tones generated with WebAudio (no files): scan, saved, refused.
export type Sound = "scan" | "saved" | "refused";

let ctx: AudioContext | null = null;

function audio(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    return null;
  }
  return ctx;
}

function tone(ac: AudioContext, freq: number, start: number, dur: number, type: OscillatorType = "sine") {
  const osc = ac.createOscillator();
  const gain = ac.createGain();
  osc.type = type;
  osc.frequency.value = freq;
  const t0 = ac.currentTime + start;
  gain.gain.setValueAtTime(0.0001, t0);
  gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, t0 + dur);
  osc.connect(gain).connect(ac.destination);
  osc.start(t0);
  osc.stop(t0 + dur + 0.02);
}

export function play(sound: Sound): void {
  const ac = audio();
  if (!ac) return;
  if (ac.state === "suspended") void ac.resume().catch(() => {});
  try {
    if (sound === "scan") tone(ac, 1760, 0, 0.08);
    else if (sound === "saved") {
      tone(ac, 880, 0, 0.12);
      tone(ac, 1320, 0.12, 0.18);
    } else tone(ac, 220, 0, 0.35, "square");
  } catch {
    /* no audio output: stay silent */
  }
}
