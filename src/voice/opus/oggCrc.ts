const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** Ogg page CRC32: polynomial 0x04c11db7, MSB first, init 0, no final xor, the CRC field (bytes 22–25) counted as zero. */
export function oggPageCrc(page: Uint8Array): number {
  const table = CRC_TABLE;
  let crc = 0;
  const n = page.length;
  // Three runs instead of a test per byte: the header up to the CRC field, the field as zeros, the rest.
  for (let i = 0; i < n && i < 22; i++) crc = (crc << 8) ^ table[((crc >>> 24) ^ page[i]!) & 0xff]!;
  for (let i = 22; i < n && i < 26; i++) crc = (crc << 8) ^ table[(crc >>> 24) & 0xff]!;
  for (let i = 26; i < n; i++) crc = (crc << 8) ^ table[((crc >>> 24) ^ page[i]!) & 0xff]!;
  return crc >>> 0;
}
