// Text helpers that are not catalog messages. Every user-facing sentence lives in src/i18n/catalogs/<locale>.json.

/**
 * User text shown back in a reply (a model name, a time, a word), with every "@" followed by a zero-width space: it reads
 * as typed but can never be a mention (@everyone, @here, <@id>, <@&id>), whatever allowed_mentions says.
 */
export function defuseMentions(text: string): string {
  return text.replaceAll('@', '@\u200B');
}
