import type { ReactiveController, ReactiveControllerHost } from 'lit'
import { onLocaleChange } from '../i18n/i18n'

/**
 * Re-renders its element when the language changes: every element that calls `t()` adds one
 * (a parent's re-render does not reach a child whose properties did not change).
 */
export function updateWhenLocaleChanges(host: ReactiveControllerHost): void {
  let stop: (() => void) | undefined
  const controller: ReactiveController = {
    hostConnected: () => { stop = onLocaleChange(() => host.requestUpdate()) },
    hostDisconnected: () => { stop?.(); stop = undefined },
  }
  host.addController(controller)
}
