import { noChange } from 'lit'
import { Directive, PartType, directive, type AttributePart, type PartInfo } from 'lit/directive.js'

/**
 * The height of a gap standing in for rows of a list not drawn, as `style=${gapHeight(px)}`:
 * through the CSSOM, which the Content-Security-Policy allows, never as a style attribute
 * (the reason is in bar-width.ts).
 */
class GapHeight extends Directive {
  constructor(part: PartInfo) {
    super(part)
    if (part.type !== PartType.ATTRIBUTE || part.name !== 'style') throw new Error('gapHeight() goes in a style attribute')
  }

  render(_px: number): unknown {
    return noChange
  }

  override update(part: AttributePart, [px]: [number]): unknown {
    part.element.style.height = `${px}px`
    return noChange
  }
}

export const gapHeight = directive(GapHeight)
