/**
 * Discord voice transport encryption for the two `_rtpsize` AEAD modes.
 *
 * Packet layout: [RTP header sent in clear = AAD][ciphertext of (extension body, Opus, padding)][16-byte tag][4-byte nonce].
 * The nonce on the wire is a 32-bit big-endian counter; the cipher nonce is that counter followed by zero bytes
 * (12 bytes for AES-256-GCM, 24 for XChaCha20-Poly1305) — the same layout @discordjs/voice writes and reads.
 */
import crypto from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { parseRtpHeader, type RtpHeader } from './rtpHeader.js';

/** The encryption modes Discord still accepts (both AEAD, both "RTP size"). */
export const TRANSPORT_MODES = ['aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize'] as const;

/** One of `TRANSPORT_MODES`. */
export type TransportMode = (typeof TRANSPORT_MODES)[number];

const TAG_LENGTH = 16;
const WIRE_NONCE_LENGTH = 4;

/** True if `mode` names one of the supported transport modes. */
export function isTransportMode(mode: unknown): mode is TransportMode {
  return typeof mode === 'string' && (TRANSPORT_MODES as readonly string[]).includes(mode);
}

function cipherNonce(mode: TransportMode, counter: number): Buffer {
  const nonce = Buffer.alloc(mode === 'aead_aes256_gcm_rtpsize' ? 12 : 24);
  nonce.writeUInt32BE(counter, 0);
  return nonce;
}

/** An opened (decrypted) voice packet. */
export interface OpenedPacket {
  header: RtpHeader;
  /** The 32-bit counter the sender appended as nonce. */
  nonce: number;
  /** The Opus payload, with extension body and RTP padding removed. */
  opus: Buffer;
}

/** Decrypts and authenticates one `_rtpsize` voice packet; throws on a bad tag, short packet or bad padding. */
export function openRtpSizePacket(packet: Buffer, mode: TransportMode, key: Uint8Array): OpenedPacket {
  const header = parseRtpHeader(packet);
  const aadEnd = header.unencryptedLength;
  if (packet.length < aadEnd + TAG_LENGTH + WIRE_NONCE_LENGTH) {
    throw new Error(`voice packet too short (${packet.length} bytes)`);
  }
  const nonceCounter = packet.readUInt32BE(packet.length - WIRE_NONCE_LENGTH);
  const nonce = cipherNonce(mode, nonceCounter);
  const aad = packet.subarray(0, aadEnd);
  const tagStart = packet.length - WIRE_NONCE_LENGTH - TAG_LENGTH;
  const ciphertext = packet.subarray(aadEnd, tagStart);
  const tag = packet.subarray(tagStart, tagStart + TAG_LENGTH);

  let plain: Buffer;
  if (mode === 'aead_aes256_gcm_rtpsize') {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } else {
    plain = Buffer.from(xchacha20poly1305(key, nonce, aad).decrypt(Buffer.concat([ciphertext, tag])));
  }

  let end = plain.length;
  if (header.padding) {
    const pad = plain[end - 1] ?? 0;
    if (pad === 0 || pad > end - header.extensionBodyLength) throw new Error(`bad RTP padding length ${pad}`);
    end -= pad;
  }
  if (header.extensionBodyLength > end) throw new Error('RTP extension body longer than the payload');
  return { header, nonce: nonceCounter, opus: plain.subarray(header.extensionBodyLength, end) };
}

/** Fields for `sealRtpSizePacket`. */
export interface SealOptions {
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** The 32-bit counter to use as nonce. */
  nonce: number;
  /** Optional extension body (a multiple of 4 bytes); sent with the 0xBEDE profile and encrypted. */
  extensionBody?: Buffer;
  /** RTP padding bytes to append inside the ciphertext (1–255; sets the P bit). */
  padding?: number;
}

/** Builds one encrypted `_rtpsize` voice packet around an Opus payload (the inverse of `openRtpSizePacket`). */
export function sealRtpSizePacket(opus: Buffer, mode: TransportMode, key: Uint8Array, opts: SealOptions): Buffer {
  const ext = opts.extensionBody;
  if (ext && ext.length % 4 !== 0) throw new Error('extension body must be a multiple of 4 bytes');
  const padding = opts.padding ?? 0;
  if (padding < 0 || padding > 255) throw new Error('padding must be 0–255 bytes');
  const header = Buffer.alloc(ext ? 16 : 12);
  header[0] = 0x80 | (ext ? 0x10 : 0) | (padding ? 0x20 : 0);
  header[1] = 0x78;
  header.writeUInt16BE(opts.sequence & 0xffff, 2);
  header.writeUInt32BE(opts.timestamp >>> 0, 4);
  header.writeUInt32BE(opts.ssrc >>> 0, 8);
  if (ext) {
    header.writeUInt16BE(0xbede, 12);
    header.writeUInt16BE(ext.length / 4, 14);
  }
  const pad = Buffer.alloc(padding);
  if (padding) pad[padding - 1] = padding;
  const plain = Buffer.concat([ext ?? Buffer.alloc(0), opus, pad]);
  const nonce = cipherNonce(mode, opts.nonce >>> 0);
  let sealed: Buffer;
  if (mode === 'aead_aes256_gcm_rtpsize') {
    const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(header);
    sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  } else {
    sealed = Buffer.from(xchacha20poly1305(key, nonce, header).encrypt(plain));
  }
  return Buffer.concat([header, sealed, nonce.subarray(0, WIRE_NONCE_LENGTH)]);
}
