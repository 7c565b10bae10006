// Numbers as the screens show them.

/** A measured value: integers as they are, others to one decimal; nothing for none. A value
 * that rounds to zero reads "0.0", never "-0.0". */
export function formatValue(v: number | null): string {
  if (v === null) return "";
  const s = Number.isInteger(v) ? String(v) : v.toFixed(1);
  return s === "-0.0" ? "0.0" : s;
}

/** A file size in KB as the standard counts them (1 KB = 1000 bytes: the 20–40 KB window is
 * 20 000–40 000 bytes in `crates/spec`), to a tenth rounded away from the window's middle, so a
 * file the rule refuses never reads as inside it (19 990 bytes is 19.9, not 20.0). */
export function formatKb(bytes: number): string {
  const tenths = bytes / 100;
  return ((bytes < 30_000 ? Math.floor(tenths) : Math.ceil(tenths)) / 10).toFixed(1);
}
