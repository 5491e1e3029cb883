import { LitElement, css } from 'lit'
import type { EngineApi } from '../engine/download-manager/engine-api'
import { updateWhenLocaleChanges } from './localized'
import { Poller } from './poller'

/** How often an open list asks the engine again. */
const REFRESH_MS = 1000

/**
 * A list of one torrent's live details (its peers, its trackers) that asks the engine again each
 * second while it is shown, and stops when it is not. `items` is undefined until the first answer.
 */
export abstract class PolledList<T> extends LitElement {
  static override properties = { engine: { attribute: false }, infoHash: { attribute: false }, items: { state: true } }
  declare engine: EngineApi | undefined
  declare infoHash: string
  declare items: T[] | undefined

  constructor() {
    super()
    updateWhenLocaleChanges(this)
    new Poller(this, REFRESH_MS, async () => {
      try {
        if (this.engine && this.infoHash) this.items = await this.fetch(this.engine, this.infoHash)
      } catch {
        // the torrent was removed, or the engine is stopping: the next refresh asks again
      }
    })
  }

  static listStyles = css`
    :host { display: block; }
    ul { list-style: none; margin: 0; padding: 0; border: 1px solid var(--border); border-radius: 8px; }
    li { padding: 8px 12px; display: grid; gap: 2px; }
    li + li { border-top: 1px solid var(--border); }
    .none { color: var(--muted); margin: 0; }
  `

  /** The engine's current answer. */
  protected abstract fetch(engine: EngineApi, infoHash: string): Promise<T[]>
}
