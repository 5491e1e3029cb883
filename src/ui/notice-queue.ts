import type { ReactiveControllerHost } from 'lit'
import type { Notice } from './bt-notices'

/** Notices shown at once: a burst of errors (say, ten bad files dropped at once) shows the latest few. */
const MAX_NOTICES = 4
/** An info notice goes by itself after this long (it was also announced); errors stay until dismissed. */
const INFO_NOTICE_MS = 6000

/** The app's notices, newest last, for <bt-notices>: its host renders again whenever they change. */
export class NoticeQueue {
  notices: Notice[] = []
  private nextId = 1

  constructor(private readonly host: ReactiveControllerHost, private readonly announce: (text: string) => void) {}

  notify(kind: Notice['kind'], text: string): void {
    const notice = { id: this.nextId++, kind, text }
    this.notices = [...this.notices, notice].slice(-MAX_NOTICES)
    this.host.requestUpdate()
    if (kind === 'info') {
      this.announce(text)
      setTimeout(() => this.dismiss(notice.id), INFO_NOTICE_MS)
    }
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((notice) => notice.id !== id)
    this.host.requestUpdate()
  }
}
