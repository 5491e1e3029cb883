/**
 * Sizes in English for messages the engine writes (binary units, as file managers use); the UI
 * formats for the person's language with src/i18n/translator.ts.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']

/** '0 B', '512 B', '64.0 KiB', '1.5 MiB'; '—' when the number is unknown (NaN/Infinity). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—'
  if (n < 0) return `-${formatBytes(-n)}`
  if (n < 1024) return `${Math.round(n)} B`
  let unit = 0
  let value = n
  // compare the rounded value so 1023.96 KiB shows as "1.0 MiB", not "1024.0 KiB"
  while (unit < UNITS.length - 1 && Number(value.toFixed(1)) >= 1024) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`
}
