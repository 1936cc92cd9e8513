/**
 * DAVE's protocol frame check (daveprotocol.com, "Protocol Frame Check"): an end-to-end encrypted frame ends with
 * its supplemental data (8-byte truncated tag, ULEB128 nonce, unencrypted ranges), one byte giving that data's size
 * (marker included) and the magic marker 0xFAFA.
 */

const MARKER = 0xfafa;
/** Tag (8) + nonce (≥ 1) + size byte (1) + marker (2). */
const MIN_SUPPLEMENTAL = 12;

/** True if `frame` passes the protocol frame check. */
export function isDaveFrame(frame: Buffer): boolean {
  if (frame.length < MIN_SUPPLEMENTAL + 1) return false;
  if (frame.readUInt16BE(frame.length - 2) !== MARKER) return false;
  const supplemental = frame[frame.length - 3]!;
  return supplemental >= MIN_SUPPLEMENTAL && supplemental < frame.length;
}
