/**
 * The bridge's frame codec (layout in src/protocol/bridge-frames.ts): encoding in
 * bridge-frame-encoder.ts, decoding of a stranger's bytes in bridge-frame-decoder.ts, the
 * enumerations' wire values both share in bridge-wire-values.ts. One import for the codec's users.
 */
export { DATA_HEADER_BYTES, encodeDataFrameInto, encodeFrame } from './bridge-frame-encoder'
export { decodeBridgeFrame, decodePageFrame, type DecodeResult } from './bridge-frame-decoder'
