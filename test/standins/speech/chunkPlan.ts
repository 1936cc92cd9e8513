/** Cuts a response body into the pieces the stand-in writes one at a time. */
import { parseOggPages } from '../../support/oggOpus.js';

/** How to cut: `targetBytes` per piece; `oggPages` keeps Ogg pages whole (grouping small pages up to the target). */
export interface ChunkPlanOptions {
  targetBytes: number;
  oggPages?: boolean;
}

/** The pages of an Ogg stream as raw slices; bytes after the last whole page become one last slice. */
function splitOggPages(ogg: Buffer): Buffer[] {
  const pages: Buffer[] = [];
  let offset = 0;
  for (const page of parseOggPages(ogg)) {
    const length = 27 + page.lacing.length + page.body.length;
    pages.push(ogg.subarray(offset, offset + length));
    offset += length;
  }
  if (offset < ogg.length) pages.push(ogg.subarray(offset));
  return pages;
}

/** Pieces of `body` in order; concatenated they are exactly `body`. */
export function planChunks(body: Buffer, { targetBytes, oggPages = false }: ChunkPlanOptions): Buffer[] {
  const target = Math.max(1, Math.floor(targetBytes));
  if (!oggPages) {
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < body.length; offset += target) chunks.push(body.subarray(offset, offset + target));
    return chunks;
  }
  const chunks: Buffer[] = [];
  let group: Buffer[] = [];
  let groupBytes = 0;
  for (const page of splitOggPages(body)) {
    if (group.length > 0 && groupBytes + page.length > target) {
      chunks.push(Buffer.concat(group));
      group = [];
      groupBytes = 0;
    }
    group.push(page);
    groupBytes += page.length;
  }
  if (group.length > 0) chunks.push(Buffer.concat(group));
  return chunks;
}
