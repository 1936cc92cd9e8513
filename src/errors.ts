/** Keys of every message a user can be shown when something fails; texts are `replies.errors.<key>` in src/i18n/catalogs. */
export const ERROR_KEYS = [
  'speech.auth',
  'speech.rate_limited',
  'speech.quota',
  'speech.rejected',
  'speech.unavailable',
  'speech.timeout',
  'speech.bad_audio',
  'speech.model_unavailable',
  'input.invalid',
  'input.unknown_setting',
  'input.voice_nothing_given',
  'input.not_a_message',
  'input.no_channel',
  'input.dictionary_no_file',
  'input.dictionary_file_too_large',
  'input.dictionary_download_failed',
  'input.reading_off',
  'request.no_text',
  'request.text_too_long',
  'request.unknown_model',
  'request.unknown_voice',
  'request.unknown_format',
  'request.bad_speed',
  'request.no_instructions',
  'request.instructions_too_long',
  'dictionary.bad_word',
  'dictionary.bad_reading',
  'dictionary.full',
  'dictionary.import_too_many',
  'dictionary.bad_file',
  'queue.full_guild',
  'queue.full_member',
  'voice.not_in_channel',
  'voice.not_in_bot_channel',
  'voice.cannot_join',
  'voice.not_voice_channel',
  'voice.channel_full',
  'permission.missing',
  'voice.join_failed',
  'voice.bot_not_connected',
  'file.too_large',
  'voice_message.not_allowed',
  'voice_message.rejected',
  'command.guild_only',
  'announce.not_allowed',
  'announce.too_many',
  'announce.unknown',
  'announce.time_and_cron',
  'announce.no_time',
  'announce.bad_time',
  'bot.shutting_down',
  'usage.rate_limited',
  'usage.budget_guild',
  'usage.budget_bot',
  'settings.busy',
  'settings.invalid_value',
  'settings.invalid_member_value',
  'transcribe.no_audio',
  'transcribe.too_large',
  'transcribe.opted_out',
  'transcribe.unsupported',
  'transcribe.download_failed',
  'internal',
] as const;

/** One of ERROR_KEYS. */
export type ErrorKey = (typeof ERROR_KEYS)[number];

/** An error the bot expects: it carries the key of the message shown to the user and optional details for it. */
export class BotError extends Error {
  /** Message key for the user-facing text. */
  readonly key: ErrorKey;
  /** Values interpolated into the user-facing text (never secrets). */
  readonly details: Readonly<Record<string, string | number>>;

  constructor(key: ErrorKey, details: Record<string, string | number> = {}, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? key, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BotError';
    this.key = key;
    this.details = details;
  }
}

/** True when the value is a BotError (across module copies too). */
export function isBotError(value: unknown): value is BotError {
  return value instanceof BotError;
}
