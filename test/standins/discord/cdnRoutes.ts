/**
 * Discord's CDN for message attachments: `GET /attachments/{channel}/{attachment}/{filename}?ex=&is=&hm=`. Since
 * 2024 Discord signs attachment URLs (`ex` expiry and `is` issue time in hex seconds, `hm` an HMAC over them): a URL
 * without a valid signature, or past `ex`, answers 404 "This content is no longer available.". So a client can only
 * download what a message object handed it, by that exact URL (the stand-in is not kinder than that).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { MessageStore } from './messageStore.js';

/** One attachment download the CDN answered (or refused). */
export interface CdnDownload {
  at: number;
  channelId: string;
  attachmentId: string;
  status: number;
  bytes: number;
}

/** How long a signed attachment URL stays valid (Discord: 24 hours). */
const LIFETIME_S = 24 * 3600;
const GONE = 'This content is no longer available.';

/** Signs and serves attachment URLs. */
export class AttachmentCdn {
  readonly #key = randomBytes(32);
  /** Every download asked of the CDN, in order. */
  readonly downloads: CdnDownload[] = [];

  constructor(private readonly store: MessageStore) {}

  /** The signed URL of an attachment, as message objects carry it. */
  url(base: string, channelId: string, attachmentId: string, filename: string, nowMs = Date.now()): string {
    const path = `/attachments/${channelId}/${attachmentId}/${encodeURIComponent(filename)}`;
    const issued = Math.floor(nowMs / 1000);
    const ex = (issued + LIFETIME_S).toString(16);
    const is = issued.toString(16);
    return `${base}${path}?ex=${ex}&is=${is}&hm=${this.#sign(path, ex, is)}&`;
  }

  /** Answers a GET under /attachments/. */
  serve(url: URL, res: ServerResponse): void {
    const [, , channelId = '', attachmentId = ''] = url.pathname.split('/');
    const attachment = this.store.attachment(channelId, attachmentId);
    const ex = url.searchParams.get('ex') ?? '';
    const is = url.searchParams.get('is') ?? '';
    const hm = Buffer.from(url.searchParams.get('hm') ?? '', 'utf8');
    const expected = Buffer.from(this.#sign(url.pathname, ex, is), 'utf8');
    const signed = hm.length === expected.length && timingSafeEqual(hm, expected) && Number.parseInt(ex, 16) * 1000 > Date.now();
    if (!attachment || !signed) {
      this.downloads.push({ at: Date.now(), channelId, attachmentId, status: 404, bytes: 0 });
      res.writeHead(404, { 'content-type': 'text/plain' }).end(GONE);
      return;
    }
    this.downloads.push({ at: Date.now(), channelId, attachmentId, status: 200, bytes: attachment.data.length });
    res.writeHead(200, { 'content-type': attachment.contentType, 'content-length': attachment.data.length }).end(attachment.data);
  }

  #sign(path: string, ex: string, is: string): string {
    return createHmac('sha256', this.#key).update(`${path}\n${ex}\n${is}`).digest('hex');
  }
}
