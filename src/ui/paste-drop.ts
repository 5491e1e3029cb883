import type { ReactiveController, ReactiveControllerHost } from 'lit'

export interface PasteDropTarget {
  /** .torrent files pasted or dropped anywhere on the page. */
  files(files: File[]): void
  /** Text (a magnet, an info hash, a URL) pasted or dropped anywhere on the page. */
  text(text: string): void
  /** Files were dropped, none of them a .torrent. */
  refused(): void
}

/** By name, in any case ("Ubuntu.TORRENT" from some sites): browsers give .torrent files no reliable MIME type. */
const isTorrentFile = (file: File): boolean => file.name.toLowerCase().endsWith('.torrent')

/**
 * Paste and drop anywhere on the page add torrents; `dragging` is true while files hover over it
 * (the host shows its drop hint then).
 */
export class PasteDropController implements ReactiveController {
  dragging = false

  constructor(private readonly host: ReactiveControllerHost, private readonly target: PasteDropTarget) {
    host.addController(this)
  }

  hostConnected(): void {
    document.addEventListener('paste', this.onPaste)
    document.addEventListener('dragover', this.onDragOver)
    document.addEventListener('dragleave', this.onDragLeave)
    document.addEventListener('drop', this.onDrop)
  }

  hostDisconnected(): void {
    document.removeEventListener('paste', this.onPaste)
    document.removeEventListener('dragover', this.onDragOver)
    document.removeEventListener('dragleave', this.onDragLeave)
    document.removeEventListener('drop', this.onDrop)
  }

  private setDragging(dragging: boolean): void {
    if (this.dragging === dragging) return
    this.dragging = dragging
    this.host.requestUpdate()
  }

  private readonly onPaste = (event: ClipboardEvent): void => {
    const target = event.composedPath()[0]
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return // typing into a field
    const files = [...(event.clipboardData?.files ?? [])].filter(isTorrentFile)
    if (files.length) return this.target.files(files)
    const text = event.clipboardData?.getData('text')?.trim()
    if (text) this.target.text(text)
  }

  private readonly onDragOver = (event: DragEvent): void => {
    if (!event.dataTransfer?.types.includes('Files')) return
    event.preventDefault()
    this.setDragging(true)
  }

  private readonly onDragLeave = (event: DragEvent): void => {
    if (event.relatedTarget === null) this.setDragging(false)
  }

  private readonly onDrop = (event: DragEvent): void => {
    event.preventDefault()
    this.setDragging(false)
    const files = [...(event.dataTransfer?.files ?? [])]
    const torrents = files.filter(isTorrentFile)
    if (torrents.length) this.target.files(torrents)
    else if (files.length) this.target.refused()
    else {
      const text = event.dataTransfer?.getData('text')?.trim()
      if (text) this.target.text(text)
    }
  }
}
