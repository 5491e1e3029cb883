/** Runs a function in a later task, once however many times it was asked before it ran. */
export interface CoalescedUpdate {
  /** Asks for a run; a run already pending covers this ask. */
  request(): void
  /** Drops a pending run (on stop). */
  cancel(): void
}

/**
 * For an update that reads the whole torrent list when it runs: events that come once per torrent
 * (a bulk add of 1,000 makes 1,000 'added') would otherwise each run it over the whole list,
 * quadratic (issue 17). `schedule` defaults to the next task; it returns what `cancel` clears.
 */
export function coalescedUpdate(run: () => void, schedule: (fn: () => void) => () => void = nextTask): CoalescedUpdate {
  let cancelPending: (() => void) | undefined
  return {
    request() {
      cancelPending ??= schedule(() => {
        cancelPending = undefined
        run()
      })
    },
    cancel() {
      cancelPending?.()
      cancelPending = undefined
    },
  }
}

function nextTask(fn: () => void): () => void {
  const timer = setTimeout(fn, 0)
  return () => clearTimeout(timer)
}
