/** Human-readable sizes, speeds and durations for the UI (binary units, as file managers use). */

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

/** '0 B/s', '1.2 MiB/s'. */
export function formatSpeed(bytesPerSecond: number): string {
  const s = formatBytes(bytesPerSecond)
  return s === '—' ? s : `${s}/s`
}

/** '—' when unknown, then '45 s', '3 min', '2 h 5 min', '3 d' / '3 d 4 h'. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—'
  // round first so 59.6 s reads "1 min" rather than "60 s"
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min`
  if (s < 86400) {
    const h = Math.floor(s / 3600)
    const m = Math.floor((s % 3600) / 60)
    return m === 0 ? `${h} h` : `${h} h ${m} min`
  }
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  return h === 0 ? `${d} d` : `${d} d ${h} h`
}

/** '1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st': a place in line. */
export function formatOrdinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th'
  return `${n}${suffix}`
}
