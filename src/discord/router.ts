import {
  ApplicationCommandOptionType,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type CommandInteraction,
  type CommandInteractionOption,
  type Interaction,
  type Message,
  type MessageContextMenuCommandInteraction,
} from 'discord.js';
import { BotError, isBotError } from '../errors.js';
import { errorText } from '../i18n/errorText.js';
import type { Translator } from '../i18n/translator.js';
import type { Logger } from '../observability/logger.js';
import type { Command, CommandContext, DeferMode, OptionAttachment, OptionValues, ReplyPayload } from './commandTypes.js';
import { messageFacts } from './messageFacts.js';
import { guildVoiceView } from './guildVoiceView.js';

/** Flattens an interaction's options (through subcommand groups) into name → value. */
export function flattenOptions(data: readonly CommandInteractionOption[]): {
  subcommand: string | null;
  values: OptionValues;
  attachments: Record<string, OptionAttachment>;
} {
  const values: Record<string, string | number | boolean | undefined> = {};
  const attachments: Record<string, OptionAttachment> = {};
  let subcommand: string | null = null;
  const walk = (opts: readonly CommandInteractionOption[]) => {
    for (const opt of opts) {
      if (opt.type === ApplicationCommandOptionType.SubcommandGroup) walk(opt.options ?? []);
      else if (opt.type === ApplicationCommandOptionType.Subcommand) {
        subcommand = opt.name;
        walk(opt.options ?? []);
      } else {
        values[opt.name] = opt.value;
        if (opt.attachment) {
          const a = opt.attachment;
          attachments[opt.name] = { url: a.url, name: a.name, size: a.size, contentType: a.contentType };
        }
      }
    }
  };
  walk(data);
  return { subcommand, values, attachments };
}

const DEFAULT_ATTACHMENT_LIMIT = 10 * 1024 * 1024;

/** How an interaction ended, for metrics. */
export type InteractionOutcome = 'ok' | 'refused' | 'failed' | 'shutting_down';

/** Routes interactions to commands: defers at once, runs the command meanwhile, turns any error into a private reply. */
export function createInteractionRouter<S>(options: {
  commands: readonly Command<S>[];
  services: S;
  logger: Logger;
  /** Told how each command ended (its name is one of the bot's commands). */
  observe?: (command: string, outcome: InteractionOutcome) => void;
  /** False once the bot is shutting down: commands are then answered with a "restarting" error. */
  accepting?: () => boolean;
  /** Takes one of the member's speech requests for commands that spend speech; throws a BotError to refuse. */
  admitSpeech?: (guildId: string, userId: string) => void;
  /** Every reply's text, in the language of the member (or of the server). */
  translator: Translator;
  /** The language a server is spoken to in (its `language` setting, else its preferred locale); default: its preferred locale. */
  serverLanguage?: (guildId: string) => string;
}) {
  const { translator } = options;
  const byName = new Map(options.commands.map((c) => [c.data.name, c]));
  const routerLog = options.logger.child({ module: 'router' });
  const observe = options.observe ?? (() => undefined);
  // Reply updates still on their way to Discord (a shutdown waits for them, so members read why).
  const inFlight = new Set<Promise<void>>();

  async function replyWithError(interaction: CommandInteraction, mode: DeferMode | null, error: unknown, log: Logger, language: string): Promise<void> {
    const known = isBotError(error);
    observe(interaction.commandName, known ? (error.key === 'bot.shutting_down' ? 'shutting_down' : 'refused') : 'failed');
    const content = errorText(translator, language, known ? error : new BotError('internal'));
    if (known) log.info({ key: error.key }, 'command refused');
    else log.error({ err: error }, 'command failed');
    try {
      if (!interaction.deferred && !interaction.replied) {
        await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
      } else if (mode === 'ephemeral') {
        await interaction.editReply({ content, files: [], attachments: [], allowedMentions: { parse: [] } });
      } else {
        // A public "thinking…" must not turn into a public error: remove it and answer privately.
        await interaction.deleteReply().catch(() => undefined);
        await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not deliver the error reply');
    }
  }

  async function onCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const command = byName.get(interaction.commandName);
    // Every line about this interaction says where it came from and what it was.
    const log = routerLog.child({
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      interactionId: interaction.id,
      command: interaction.commandName,
    });
    if (!command) {
      log.warn({}, 'unknown command');
      return;
    }
    const guild = interaction.guild;
    if (!interaction.inGuild() || !guild) {
      await interaction
        .reply({ content: errorText(translator, translator.resolve(interaction.locale), new BotError('command.guild_only')), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } })
        .catch(() => undefined);
      return;
    }
    const { subcommand, values, attachments } = flattenOptions((interaction as ChatInputCommandInteraction).options.data);
    const target = (interaction as CommandInteraction).isMessageContextMenuCommand()
      ? messageFacts((interaction as unknown as MessageContextMenuCommandInteraction).targetMessage as Message<true>)
      : undefined;
    const member = interaction.member;
    const displayName =
      (member && 'displayName' in member ? member.displayName : undefined) ?? interaction.user.globalName ?? interaction.user.username;
    let mode: DeferMode | null = null;
    // The member's own locale first, then the server's language setting, then the server's preferred locale, then en-US.
    const serverLanguage = options.serverLanguage?.(guild.id) ?? translator.resolve(guild.preferredLocale);
    const language = translator.resolve(interaction.locale, serverLanguage);
    // Replies may be updated later (queue progress); apply them in order, never two edits racing.
    let replies: Promise<void> = Promise.resolve();
    const ctx: CommandContext<S> = {
      guildId: guild.id,
      channelId: interaction.channelId,
      user: { id: interaction.user.id, displayName },
      member: {
        canManageGuild: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
        roleIds: !member ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()],
      },
      subcommand,
      options: values,
      attachments,
      target,
      attachmentSizeLimit: (interaction as { attachmentSizeLimit?: number }).attachmentSizeLimit ?? DEFAULT_ATTACHMENT_LIMIT,
      voice: guildVoiceView(guild, interaction.user.id),
      services: options.services,
      language,
      t: (key, values) => translator.text(language, key, values),
      tServer: (key, values) => translator.text(serverLanguage, key, values),
      tError: (error) => errorText(translator, language, isBotError(error) ? error : new BotError('internal')),
      reply: (payload: ReplyPayload) => {
        const send = async () => {
          const files = payload.files ?? [];
          if (files.length === 0) {
            await interaction.editReply({ content: payload.content, allowedMentions: { parse: [] } });
            return;
          }
          // discord.js drops a Buffer's content type and sniffs one (none for raw PCM); the REST layer keeps ours.
          await interaction.client.rest.patch(Routes.webhookMessage(interaction.applicationId, interaction.token, '@original'), {
            auth: false,
            body: {
              content: payload.content,
              allowed_mentions: { parse: [] },
              attachments: files.map((f, id) => ({ id, filename: f.name, ...(f.description ? { description: f.description } : {}) })),
            },
            files: files.map((f, id) => ({ key: `files[${id}]`, name: f.name, data: f.data, contentType: f.contentType })),
          });
        };
        const next = replies.then(send);
        replies = next.catch((err: unknown) => log.warn({ err: (err as Error).message }, 'reply update failed'));
        const tracked = replies;
        inFlight.add(tracked);
        void tracked.finally(() => inFlight.delete(tracked));
        return next;
      },
    };
    const started = performance.now();
    try {
      if (options.accepting && !options.accepting()) throw new BotError('bot.shutting_down');
      command.precheck?.(ctx);
      if (options.admitSpeech && command.spendsSpeech?.(ctx)) options.admitSpeech(ctx.guildId, ctx.user.id);
      mode = command.defer(ctx);
    } catch (error) {
      await replyWithError(interaction, null, error, log, language);
      return;
    }
    // The command runs while Discord takes the deferral (a round trip of tens of ms): speech is requested at once, and
    // commands start in the order Discord sent them, so two /speak a moment apart keep their order. Replies wait for it.
    const deferring = interaction.deferReply(mode === 'ephemeral' ? { flags: MessageFlags.Ephemeral } : {}).then(() => undefined);
    deferring.catch(() => undefined); // handled below, possibly after the command: not an unhandled rejection
    replies = deferring;
    try {
      await command.execute(ctx);
      await deferring;
      observe(interaction.commandName, 'ok');
      log.info({ subcommand, ms: Math.round(performance.now() - started) }, 'command done');
    } catch (error) {
      // Settle the deferral first: whether it went through decides how (and whether) the error can be delivered.
      const deferred = await deferring.then(
        () => true,
        (err: unknown) => {
          log.warn({ err: (err as Error).message }, 'deferral failed: this interaction can no longer be answered');
          return false;
        },
      );
      if (deferred) await replyWithError(interaction, mode, error, log, language);
      else observe(interaction.commandName, 'failed');
    }
  }

  async function onAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const command = byName.get(interaction.commandName);
    const log = routerLog.child({ guildId: interaction.guildId, interactionId: interaction.id, command: interaction.commandName });
    try {
      const focused = interaction.options.getFocused(true);
      const { values } = flattenOptions(interaction.options.data);
      const guildId = interaction.guildId;
      const language = translator.resolve(interaction.locale, guildId ? (options.serverLanguage?.(guildId) ?? interaction.guild?.preferredLocale) : null);
      const choices =
        (await command?.autocomplete?.({
          guildId: interaction.guildId,
          user: { id: interaction.user.id },
          focused: { name: focused.name, value: String(focused.value) },
          options: values,
          services: options.services,
          t: (key, v) => translator.text(language, key, v),
          has: (key) => translator.has(key),
        })) ?? [];
      await interaction.respond(choices.slice(0, 25));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'autocomplete failed');
      await interaction.respond([]).catch(() => undefined);
    }
  }

  return {
    /** Resolves once every reply update sent so far has reached Discord (or failed). */
    async repliesSent(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    /** Handles one interaction; never throws. */
    async handle(interaction: Interaction): Promise<void> {
      if (interaction.isChatInputCommand() || interaction.isContextMenuCommand()) {
        await onCommand(interaction as ChatInputCommandInteraction);
      } else if (interaction.isAutocomplete()) {
        await onAutocomplete(interaction);
      }
    },
  };
}
