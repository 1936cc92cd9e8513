import type { IncomingMessage } from 'node:http';
import { DiscordHttpError } from './discordErrors.js';

/** A file uploaded in a multipart request. */
export interface UploadedFile {
  /** The form field, e.g. `files[0]`. */
  field: string;
  /** n of `files[n]` (what `attachments[].id` refers to), or null for other field names. */
  index: number | null;
  name: string;
  contentType: string;
  data: Buffer;
}

/** A parsed request body: the JSON payload (from the body or `payload_json`) and any files. */
export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
  /** Whether the body came as multipart/form-data. */
  multipart: boolean;
}

/** Reads the whole request body. */
export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DiscordHttpError(400, 50109, 'The request body contains invalid JSON.');
  }
}

/** Parses a JSON or multipart/form-data body the way Discord accepts them (`payload_json` + `files[n]`). */
export async function parseBody(contentType: string | undefined, raw: Buffer): Promise<ParsedBody> {
  if (raw.length === 0) return { json: undefined, files: [], multipart: false };
  if (contentType?.startsWith('multipart/form-data')) {
    // undici's Request does the multipart parsing (boundary, filenames, content types).
    const form = await new Request('http://standin.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData();
    let json: unknown = undefined;
    const files: UploadedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = parseJson(value);
        continue;
      }
      const match = /^files\[(\d+)\]$/.exec(field);
      files.push({
        field,
        index: match ? Number(match[1]) : null,
        name: value.name,
        contentType: value.type || 'application/octet-stream',
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { json, files, multipart: true };
  }
  return { json: parseJson(raw.toString('utf8')), files: [], multipart: false };
}
