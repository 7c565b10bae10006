// Numbers as the screens show them.

/** A measured value: integers as they are, others to one decimal; nothing for none. A value
 * that rounds to zero reads "0.0", never "-0.0". */
export function formatValue(v: number | null): string {
  if (v === null) return "";
  const s = Number.isInteger(v) ? String(v) : v.toFixed(1);
  return s === "-0.0" ? "0.0" : s;
}
