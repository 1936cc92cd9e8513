import type { RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';
import type { MessageFacts } from '../features/reading/messageFacts.js';
import type { MessageValues } from '../i18n/translator.js';
import type { GuildVoiceView } from './guildVoiceView.js';

/** A file to attach to a reply. */
export interface ReplyFile {
  name: string;
  data: Buffer;
  contentType: string;
  description?: string;
}

/** What a command answers with; the router applies it to the interaction. */
export interface ReplyPayload {
  content: string;
  files?: ReplyFile[];
}

/** Option values as Discord sent them, flattened (subcommand options included). */
export type OptionValues = Readonly<Record<string, string | number | boolean | undefined>>;

/** A file a member gave in an attachment option. */
export interface OptionAttachment {
  url: string;
  name: string;
  size: number;
  contentType: string | null;
}

/** The narrow view of an interaction that a command works with (testable without discord.js). */
export interface CommandContext<S> {
  guildId: string;
  channelId: string;
  user: { id: string; displayName: string };
  /** The member's standing in the guild, for commands that check it at run time. */
  member: { canManageGuild: boolean; roleIds: readonly string[] };
  subcommand: string | null;
  options: OptionValues;
  /** Files given in attachment options, by option name. */
  attachments: Readonly<Record<string, OptionAttachment>>;
  /** The message a message context-menu command was used on. */
  target?: MessageFacts | undefined;
  /** Largest attachment this interaction may carry, in bytes. */
  attachmentSizeLimit: number;
  voice: GuildVoiceView;
  services: S;
  /** The reply language (a catalog code): the member's locale, else the server's `language`, else its preferred locale, else en-US. */
  language: string;
  /** A catalog message (`replies.…`) in the reply language. */
  t(key: string, values?: MessageValues): string;
  /** The words for an error (a BotError's key, else "something went wrong") in the reply language. */
  tError(error: unknown): string;
  /** A catalog message in the server's language, for what is posted in a channel for everyone to read. */
  tServer(key: string, values?: MessageValues): string;
  /** Sets the visible response (the deferred reply); may be called again later to update it. */
  reply(payload: ReplyPayload): Promise<void>;
}

/** How the router acknowledges a command before running it. */
export type DeferMode = 'ephemeral' | 'public';

/** A slash or context-menu command: its definition and a thin execute. */
export interface Command<S> {
  /** The definition registered with Discord (the deploy script sends exactly this). */
  data: RESTPostAPIApplicationCommandsJSONBody;
  /**
   * Whether this use asks the speech provider on the member's behalf: if so, the router lets the member's rate limit
   * decide before anything runs (a refusal is a private reply; nothing is queued or synthesized).
   */
  spendsSpeech?(ctx: CommandContext<S>): boolean;
  /**
   * Refuses at once (throws a BotError) when this use cannot succeed, e.g. a permission the bot lacks: the member gets a
   * private reply and nothing is spent, deferred or synthesized.
   */
  precheck?(ctx: CommandContext<S>): void;
  /** Whether the first response is private; decided before any slow work. */
  defer(ctx: CommandContext<S>): DeferMode;
  /** Does the work; the reply goes through ctx.reply; errors are turned into replies by the router. */
  execute(ctx: CommandContext<S>): Promise<void>;
  /** Suggestions for an option being typed. */
  autocomplete?(ctx: AutocompleteContext<S>): Promise<Array<{ name: string; value: string | number }>>;
}

/** What an autocomplete handler sees. */
export interface AutocompleteContext<S> {
  guildId: string | null;
  user: { id: string };
  focused: { name: string; value: string };
  options: OptionValues;
  services: S;
  /** A catalog message in the member's language (as CommandContext.t). */
  t(key: string, values?: MessageValues): string;
  /** Whether the catalogs have `key` (settings added later may not have a translated description yet). */
  has(key: string): boolean;
}
