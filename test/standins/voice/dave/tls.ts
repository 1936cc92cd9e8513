/**
 * TLS presentation language encoding as MLS uses it (RFC 9420 §2.1): big-endian integers and vectors with a
 * variable-length (QUIC-style, 1/2/4-byte) length prefix, written `<V>` in the RFC.
 */

/** Encodes a vector length prefix (RFC 9420 §2.1.2): 6, 14 or 30 bits. */
export function varint(n: number): Buffer {
  if (n < 0x40) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  if (n < 0x40000000) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE((0x80000000 | n) >>> 0);
    return b;
  }
  throw new Error(`vector too long for MLS (${n} bytes)`);
}

/** Builds a TLS-encoded struct piece by piece. */
export class TlsWriter {
  private readonly parts: Buffer[] = [];

  u8(n: number): this {
    this.parts.push(Buffer.from([n]));
    return this;
  }

  u16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    this.parts.push(b);
    return this;
  }

  u32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    this.parts.push(b);
    return this;
  }

  u64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n);
    this.parts.push(b);
    return this;
  }

  /** Raw bytes, no length prefix (an already encoded struct). */
  raw(bytes: Uint8Array): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  /** `opaque x<V>`: a varint length then the bytes. */
  vector(bytes: Uint8Array): this {
    this.parts.push(varint(bytes.length), Buffer.from(bytes));
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads a TLS-encoded struct; every read throws past the end. */
export class TlsReader {
  offset = 0;

  constructor(readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new Error(`MLS message truncated at byte ${this.offset} (needs ${n} more)`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /** A vector length prefix. */
  varint(): number {
    const first = this.u8();
    const kind = first >> 6;
    if (kind === 0) return first & 0x3f;
    if (kind === 1) return ((first & 0x3f) << 8) | this.u8();
    if (kind === 2) {
      this.need(3);
      const v = ((first & 0x3f) * 2 ** 24) + this.buf.readUIntBE(this.offset, 3);
      this.offset += 3;
      return v;
    }
    throw new Error('invalid MLS varint prefix');
  }

  /** `opaque x<V>`. */
  vector(): Buffer {
    const n = this.varint();
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** A vector of structs: calls `item` on a reader over the vector's bytes until they are used up. */
  list<T>(item: (r: TlsReader) => T): T[] {
    const inner = new TlsReader(this.vector());
    const out: T[] = [];
    while (inner.offset < inner.buf.length) out.push(item(inner));
    return out;
  }

  /** The bytes from `start` to the current offset. */
  since(start: number): Buffer {
    return this.buf.subarray(start, this.offset);
  }

  get done(): boolean {
    return this.offset >= this.buf.length;
  }
}
