import { noChange } from 'lit'
import { Directive, PartType, directive, type AttributePart, type PartInfo } from 'lit/directive.js'

/**
 * A progress bar's fill, as `style=${barWidth(percent)}`: the width is set through the CSSOM
 * (element.style.width), which the Content-Security-Policy allows, and never as a style
 * attribute, which it refuses without 'unsafe-inline'. Lit's own styleMap writes the attribute
 * on its first render (seen refused in Chromium 156), so it will not do.
 */
class BarWidth extends Directive {
  constructor(part: PartInfo) {
    super(part)
    if (part.type !== PartType.ATTRIBUTE || part.name !== 'style') throw new Error('barWidth() goes in a style attribute')
  }

  render(_percent: number): unknown {
    return noChange
  }

  override update(part: AttributePart, [percent]: [number]): unknown {
    part.element.style.width = `${percent}%`
    return noChange
  }
}

export const barWidth = directive(BarWidth)
