import { readFileSync } from 'node:fs'

/** Core-seconds this machine has spent busy so far, all processes together (/proc/stat: all but idle and iowait). */
export function machineBusySeconds(): number {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0)
  return (ticks.reduce((a, b) => a + b, 0) - idle) / 100 // USER_HZ
}
