import { readFileSync } from 'node:fs'

/**
 * Core-seconds this machine has spent busy so far, all processes together: /proc/stat's user,
 * nice, system, irq and softirq (guest time is inside user already; steal is the host's).
 */
export function machineBusySeconds(): number {
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  return (user + nice + system + irq + softirq) / 100 // USER_HZ
}

/** Core-seconds process `pid` has spent so far (utime + stime). */
export function processBusySeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

export interface CpuSpent {
  /** The whole machine's busy core-seconds. */
  machine: number
  /** Those of the one process watched (0 without one). */
  process: number
}

/** Starts measuring: the function returned gives the core-seconds spent since, by the machine and by process `pid`. */
export function cpuMeter(pid?: number): () => CpuSpent {
  const machine = machineBusySeconds()
  const process = pid ? processBusySeconds(pid) : 0
  return () => ({ machine: machineBusySeconds() - machine, process: pid ? processBusySeconds(pid) - process : 0 })
}

/**
 * Waits until the machine is quiet: a `windowMs` window in which all processes together were busy
 * for less than `maxBusy` core-seconds (at most `timeoutMs`, then it goes on). A timed download
 * starts from here, so that neither client's time holds the work of whatever ran just before: a
 * fresh Chromium spends about 0.4 core-seconds in the half second after its page is up (its own
 * startup work, the omnibox's WebUI among it), and the previous round's files are still being freed.
 */
export async function settle(windowMs = 500, maxBusy = 0.05, timeoutMs = 10_000): Promise<void> {
  const start = Date.now()
  let busy = 0
  while (Date.now() - start < timeoutMs) {
    const before = machineBusySeconds()
    await new Promise((r) => setTimeout(r, windowMs))
    busy += machineBusySeconds() - before
    if (machineBusySeconds() - before < maxBusy) break
  }
  console.log(`  quiet after ${((Date.now() - start) / 1000).toFixed(1)} s (${busy.toFixed(2)} core-s meanwhile)`)
}
