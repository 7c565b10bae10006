// Numbers as the screens show them.

/** A measured value: integers as they are, others to one decimal; nothing for none. A value
 * that rounds to zero reads "0.0", never "-0.0". */
export function formatValue(v: number | null): string {
  if (v === null) return "";
  const s = Number.isInteger(v) ? String(v) : v.toFixed(1);
  return s === "-0.0" ? "0.0" : s;
}

/** A file size in KB as the standard counts them (1 KB = 1000 bytes: the 20–40 KB window is
 * 20 000–40 000 bytes in `crates/spec`), to a tenth, as the validator's own message writes it. */
export function formatKb(bytes: number): string {
  return (bytes / 1000).toFixed(1);
}
