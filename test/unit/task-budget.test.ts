import { describe, expect, it } from 'vitest'
import { TaskBudget } from '../../src/core/peer-discovery/task-budget'

/** A simulated page: a clock each job advances, and a queue of later tasks run one at a time. */
function page() {
  let now = 0
  let task = 0
  const later: (() => void)[] = []
  const errors: unknown[] = []
  /** Which task each job ran in, in the order they ran. */
  const ran: { job: number; task: number }[] = []
  const clock = { now: () => now, nextTask: (fn: () => void) => { later.push(fn) }, onError: (err: unknown) => { errors.push(err) } }
  return {
    clock, ran, errors,
    job: (id: number, costMs: number) => () => { ran.push({ job: id, task }); now += costMs },
    /** Runs the first later task only. */
    runOneTask(): void {
      task++
      later.shift()?.()
    },
    /** Runs every later task, each as its own task; returns the longest time a task spent. */
    runTasks(): number {
      let longest = 0
      while (later.length) {
        task++
        const start = now
        later.shift()!()
        longest = Math.max(longest, now - start)
      }
      return longest
    },
  }
}

describe('TaskBudget', () => {
  it('runs a lone job at once, in the task that asked', () => {
    const p = page()
    const budget = new TaskBudget(10, p.clock)
    budget.run(p.job(1, 1))
    expect(p.ran).toEqual([{ job: 1, task: 0 }])
    expect(budget.pending).toBe(0)
  })

  it('spreads a burst over tasks of at most the budget (plus one job), in order', () => {
    const p = page()
    const budget = new TaskBudget(10, p.clock)
    // 1,000 announces of 0.1 ms each at once: 100 ms in one task without the budget
    for (let i = 0; i < 1000; i++) budget.run(p.job(i, 0.1))
    const first = p.ran.filter((r) => r.task === 0).length
    expect(first).toBeGreaterThan(90)
    expect(first).toBeLessThanOrEqual(101)
    const longest = p.runTasks()
    expect(p.ran.map((r) => r.job)).toEqual([...Array(1000).keys()])
    expect(longest).toBeLessThanOrEqual(10.1 + 1e-9)
    expect(new Set(p.ran.map((r) => r.task)).size).toBeGreaterThanOrEqual(10)
  })

  it('runs one job per task even when a job alone is over the budget', () => {
    const p = page()
    const budget = new TaskBudget(10, p.clock)
    for (let i = 0; i < 3; i++) budget.run(p.job(i, 30))
    expect(p.runTasks()).toBe(30)
    expect(p.ran.map((r) => r.job)).toEqual([0, 1, 2])
    expect(new Set(p.ran.map((r) => r.task)).size).toBe(3)
  })

  it('keeps order: a job asked for while others wait goes after them, even with budget left', () => {
    const p = page()
    const budget = new TaskBudget(10, p.clock)
    budget.run(p.job(0, 11))
    budget.run(p.job(1, 1)) // over the budget: waits
    p.runOneTask() // a new task (the first task's end), with budget, before the one that runs job 1
    budget.run(p.job(2, 1))
    p.runTasks()
    expect(p.ran.map((r) => r.job)).toEqual([0, 1, 2])
  })

  it('gives a new task its whole budget', () => {
    const p = page()
    const budget = new TaskBudget(10, p.clock)
    budget.run(p.job(0, 9))
    p.runTasks() // the task ends
    budget.run(p.job(1, 1))
    expect(p.ran.at(-1)).toEqual({ job: 1, task: p.ran.at(-1)!.task })
    expect(budget.pending).toBe(0)
  })

  it('reports a job that throws and runs the rest', () => {
    const p = page()
    const budget = new TaskBudget(10, p.clock)
    budget.run(p.job(0, 20))
    budget.run(() => { throw new Error('boom') })
    budget.run(p.job(2, 1))
    p.runTasks()
    expect(p.errors.map(String)).toEqual(['Error: boom'])
    expect(p.ran.map((r) => r.job)).toEqual([0, 2])
  })
})
