/**
 * Builds of the app measured in turn: each served by its own app server, one download each per
 * round, the order reversed every other round. This machine's speed drifts over a run by more than
 * the differences these benches look for, so a build that always went first would be compared at
 * another moment, not as another build. Shared by compare-builds.ts and bridge-data-path.ts, which
 * differ only in their seeder and in what one download measures.
 */
import { resolve } from 'node:path'
import { startApp, type RunningApp } from '../e2e/harness'
import { median } from './scale-page'

export interface Build { name: string; dir: string }

export interface AlternatingBuilds { builds: Build[]; sizeMiB: number; rounds: number }

/** `NAME=DIST_DIR [NAME=DIST_DIR ...] [MiB] [rounds]`, as both benches take them. */
export function alternatingBuildsFromArgs(args: string[], defaults: { sizeMiB: number; rounds: number }): AlternatingBuilds {
  const builds = args.filter((a) => a.includes('=')).map((a) => {
    const at = a.indexOf('=')
    return { name: a.slice(0, at), dir: a.slice(at + 1) }
  })
  if (builds.length === 0) throw new Error('no build given: NAME=DIST_DIR [NAME=DIST_DIR ...] [MiB] [rounds]')
  const [sizeArg, roundsArg] = args.filter((a) => !a.includes('='))
  return { builds, sizeMiB: Number(sizeArg ?? defaults.sizeMiB), rounds: Number(roundsArg ?? defaults.rounds) }
}

/**
 * Runs `download` once per build per round, alternating, and logs each run as `round N NAME: ...`
 * (`describe`'s text). The app servers are closed at the end, also on failure; the caller owns the
 * browser and the seeder. Returns each build's runs by name, in round order.
 */
export async function runAlternatingBuilds<Run>(
  { builds, rounds }: AlternatingBuilds,
  trackers: string[],
  download: (app: RunningApp) => Promise<Run>,
  describe: (run: Run) => string,
): Promise<Map<string, Run[]>> {
  const apps = await Promise.all(builds.map(({ dir }) => startApp(trackers, 0, ['--app-dir', resolve(dir)])))
  const runs = new Map<string, Run[]>(builds.map(({ name }) => [name, []]))
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...builds.keys()].reverse() : [...builds.keys()]
      for (const i of order) {
        const { name } = builds[i]!
        const run = await download(apps[i]!)
        runs.get(name)!.push(run)
        console.log(`round ${round + 1} ${name}: ${describe(run)}`)
      }
    }
  } finally {
    await Promise.all(apps.map((app) => app.close()))
  }
  return runs
}

/** A column of the closing table: its header and the figure of one run, shown as `format` of their median. */
export interface MedianColumn<Run> { header: string; figure: (run: Run) => number; format: (median: number) => string }

/** MB/s of a download of `sizeMiB`, from the median of its seconds. */
export function speedColumn<Run extends { seconds: number }>(sizeMiB: number): MedianColumn<Run> {
  return { header: 'MB/s', figure: (run) => run.seconds, format: (seconds) => ((sizeMiB * 1024 * 1024) / seconds / 1e6).toFixed(1) }
}

/** The closing Markdown table: a row per build, each cell the median of that build's runs. */
export function printMedianTable<Run>(title: string, runs: Map<string, Run[]>, columns: MedianColumn<Run>[]): void {
  console.log(`\n${title}`)
  console.log(`| build | ${columns.map((c) => c.header).join(' | ')} |`)
  console.log(`|---|${columns.map(() => '---|').join('')}`)
  for (const [name, list] of runs) {
    console.log(`| ${name} | ${columns.map((c) => c.format(median(list.map(c.figure)))).join(' | ')} |`)
  }
}
