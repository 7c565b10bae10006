// Numbers as the screens show them.

/** A measured value: integers as they are, others to one decimal; nothing for none. */
export function formatValue(v: number | null): string {
  if (v === null) return "";
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
