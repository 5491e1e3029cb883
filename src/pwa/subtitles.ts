/** Pure: SubRip (.srt) to WebVTT, so `<track>` can show it. */
export function srtToVtt(srt: string): string {
  const text = srt.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trim()
  if (/^WEBVTT/.test(text)) return `${text}\n`
  const blocks = text.split(/\n{2,}/).map((block) => {
    const lines = block.split('\n')
    // A numeric cue counter line before the timing line is optional in the wild.
    if (lines.length > 1 && /^\d+$/.test(lines[0]!.trim()) && lines[1]!.includes('-->')) lines.shift()
    if (lines[0]?.includes('-->')) lines[0] = lines[0].replace(/(\d{1,2}:\d{2}:\d{2}),(\d{3})/g, '$1.$2')
    return lines.join('\n')
  })
  return `WEBVTT\n\n${blocks.join('\n\n')}\n`
}
