/**
 * Discord voice UDP IP discovery: a 74-byte datagram — type (u16 BE, 1 = request, 2 = response), length (u16 BE, 70),
 * SSRC (u32 BE), address (64 bytes, NUL-terminated string, only filled in the response), port (u16 BE, at offset 72).
 */

const DISCOVERY_LENGTH = 74;

/** The SSRC of a discovery request, or undefined if `msg` is not one. */
export function discoveryRequestSsrc(msg: Buffer): number | undefined {
  if (msg.length !== DISCOVERY_LENGTH || msg.readUInt16BE(0) !== 1 || msg.readUInt16BE(2) !== 70) return undefined;
  return msg.readUInt32BE(4);
}

/** The response telling a client which address and port its datagrams came from. */
export function discoveryResponse(ssrc: number, address: string, port: number): Buffer {
  const out = Buffer.alloc(DISCOVERY_LENGTH);
  out.writeUInt16BE(2, 0);
  out.writeUInt16BE(70, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  out.write(address, 8, 63, 'utf8');
  out.writeUInt16BE(port, 72);
  return out;
}
