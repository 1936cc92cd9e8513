import { joinList, SENTENCE_END, type SpokenPhrases } from '../../i18n/spokenPhrases.js';
import { MAX_INPUT_CHARS } from '../../speech/request.js';
import type { AnnouncementBatch } from './voiceEventBatcher.js';

/** The events a guild can word its own announcement for. */
export type AnnouncementKind = 'join' | 'leave' | 'move';

/** One template per event; `{name}` takes the (joined) names, `{channel}` the destination of a move. */
export type AnnouncementTemplates = Readonly<Record<AnnouncementKind, string>>;

/** The guild's own templates where set, else the wording of its language (`spoken.join`, `spoken.leave`, `spoken.move`). */
export function templatesFor(own: Readonly<Record<AnnouncementKind, string | null>>, phrases: SpokenPhrases): AnnouncementTemplates {
  return {
    join: own.join ?? phrases.say('join', { name: '{name}' }),
    leave: own.leave ?? phrases.say('leave', { name: '{name}' }),
    move: own.move ?? phrases.say('move', { name: '{name}', channel: '{channel}' }),
  };
}

/** Longest template accepted, in characters. */
export const TEMPLATE_MAX_CHARS = 100;

/** Names spelled out before the rest are counted ("A, B, C and 4 others"). */
const NAMES_SHOWN_WHEN_MANY = 3;
/** Most names listed in full. */
const NAMES_LISTED_IN_FULL = 5;

/** Outcome of validateTemplate. */
export type TemplateCheck = { ok: true } | { ok: false; reason: string };

/** Checks a guild's template for one event; the reason says what is allowed. */
export function validateTemplate(kind: AnnouncementKind, text: string): TemplateCheck {
  const allowed = kind === 'move' ? '{name} and {channel}' : '{name}';
  const length = [...text].length;
  if (text.trim() === '') return { ok: false, reason: 'The template is empty: write 1 to 100 characters that include {name}.' };
  if (length > TEMPLATE_MAX_CHARS) {
    return { ok: false, reason: `The template is ${length} characters long; at most ${TEMPLATE_MAX_CHARS} are allowed.` };
  }
  for (const match of text.matchAll(/\{([^{}]*)\}/g)) {
    const key = match[1];
    if (key === 'name' || (key === 'channel' && kind === 'move')) continue;
    const problem = key === 'channel' ? '{channel} only works in the move template' : `Unknown placeholder {${key}}`;
    return { ok: false, reason: `${problem}: the ${kind} template may use ${allowed}.` };
  }
  if (/[{}]/.test(text.replace(/\{(name|channel)\}/g, ''))) {
    return { ok: false, reason: `Braces are only for placeholders: the ${kind} template may use ${allowed}.` };
  }
  if (!text.includes('{name}')) return { ok: false, reason: `The template must include {name}; the ${kind} template may use ${allowed}.` };
  return { ok: true };
}

/** Joins names as said aloud in the language: "A", "A and B", "A, B and C"; more than five → "A, B, C and 4 others". */
export function joinNames(names: readonly string[], phrases: SpokenPhrases): string {
  if (names.length > NAMES_LISTED_IN_FULL) {
    const count = names.length - NAMES_SHOWN_WHEN_MANY;
    return phrases.say('namesAndOthers', { names: names.slice(0, NAMES_SHOWN_WHEN_MANY).join(phrases.say('listSeparator')), count });
  }
  return joinList(names, phrases);
}
/** Text ending in Chinese or Japanese script takes a CJK full stop between sentences. */
const CJK_END = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]$/u;

/**
 * The text to speak for a batch: one sentence per kind (joins, leaves, then moves per destination),
 * joined with ". " (or a space after a sentence that already ends in . ! ? or …); '' when there is nothing to say
 * (an empty batch, or only blank names). It is one speech request: sentences past 4096 characters (moves to dozens
 * of channels at once) are left out.
 */
export function renderBatch(batch: AnnouncementBatch, templates: AnnouncementTemplates, phrases: SpokenPhrases): string {
  const joinNames_ = (names: readonly string[]) => joinNames(names, phrases);
  const sentences: string[] = [];
  if (batch.joined.length > 0) sentences.push(fill(templates.join, joinNames_(batch.joined), ''));
  if (batch.left.length > 0) sentences.push(fill(templates.leave, joinNames_(batch.left), ''));
  const byChannel = new Map<string, string[]>();
  for (const { name, channel } of batch.moved) {
    const names = byChannel.get(channel);
    if (names) names.push(name);
    else byChannel.set(channel, [name]);
  }
  for (const [channel, names] of byChannel) sentences.push(fill(templates.move, joinNames_(names), channel));
  let text = '';
  for (const sentence of sentences.map((s) => s.trim()).filter((s) => s !== '')) {
    const longer =
      text === '' ? sentence : SENTENCE_END.test(text) ? `${text} ${sentence}` : CJK_END.test(text) ? `${text}。${sentence}` : `${text}. ${sentence}`;
    if (longer.length > MAX_INPUT_CHARS) break;
    text = longer;
  }
  return text;
}

/** Fills placeholders in one pass, so a name containing "{channel}" stays as written. */
function fill(template: string, names: string, channel: string): string {
  return template.trim().replace(/\{(name|channel)\}/g, (_, key: string) => (key === 'name' ? names : channel));
}
