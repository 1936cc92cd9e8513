/** RTP header (RFC 3550) as Discord voice uses it: version 2, Opus payload type 0x78, optional one-byte-header extension. */

/** The RTP payload type Discord uses for Opus. */
export const OPUS_PAYLOAD_TYPE = 0x78;

/** The fields of an RTP header, plus where the encrypted part of an `_rtpsize` packet starts. */
export interface RtpHeader {
  version: number;
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /**
   * Length of the part that is sent in clear and authenticated as AAD in the `_rtpsize` modes:
   * 12 fixed bytes + 4 per CSRC + (if `extension`) the 4-byte extension preamble — but not the extension body.
   */
  unencryptedLength: number;
  /** Length of the extension body in bytes (its 32-bit word count × 4), 0 without an extension; it is encrypted. */
  extensionBodyLength: number;
}

/** Parses the RTP header at the start of `packet`; throws if the packet is too short to hold it. */
export function parseRtpHeader(packet: Buffer): RtpHeader {
  if (packet.length < 12) throw new Error(`RTP packet too short (${packet.length} bytes)`);
  const first = packet[0]!;
  const second = packet[1]!;
  const csrcCount = first & 0x0f;
  const extension = Boolean(first & 0x10);
  let unencryptedLength = 12 + 4 * csrcCount;
  let extensionBodyLength = 0;
  if (extension) {
    if (packet.length < unencryptedLength + 4) throw new Error('RTP packet too short for its extension preamble');
    // The preamble is profile (2 bytes, 0xBEDE for one-byte headers) + length in 32-bit words (2 bytes).
    extensionBodyLength = packet.readUInt16BE(unencryptedLength + 2) * 4;
    unencryptedLength += 4;
  }
  return {
    version: first >> 6,
    padding: Boolean(first & 0x20),
    extension,
    csrcCount,
    marker: Boolean(second & 0x80),
    payloadType: second & 0x7f,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    unencryptedLength,
    extensionBodyLength,
  };
}
