import { noChange } from 'lit'
import { Directive, PartType, directive, type AttributePart, type PartInfo } from 'lit/directive.js'

/**
 * One CSS property of an element, as `style=${cssomStyle('width', '40%')}`: set through the CSSOM
 * (element.style), which the Content-Security-Policy allows, and never as a style attribute, which
 * it refuses without 'unsafe-inline'. Lit's own styleMap writes the attribute on its first render
 * (seen refused in Chromium 156), so it will not do.
 */
class CssomStyle extends Directive {
  constructor(part: PartInfo) {
    super(part)
    if (part.type !== PartType.ATTRIBUTE || part.name !== 'style') throw new Error('cssomStyle() goes in a style attribute')
  }

  render(_property: string, _value: string): unknown {
    return noChange
  }

  override update(part: AttributePart, [property, value]: [string, string]): unknown {
    part.element.style.setProperty(property, value)
    return noChange
  }
}

export const cssomStyle = directive(CssomStyle)

/** A progress bar's fill. */
export const barWidth = (percent: number) => cssomStyle('width', `${percent}%`)

/** The height of a gap standing in for rows of a list not drawn. */
export const gapHeight = (px: number) => cssomStyle('height', `${px}px`)
