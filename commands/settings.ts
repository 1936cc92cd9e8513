import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { BotCommand, Services } from '../src/app.js';
import type { CommandContext } from '../src/discord/commandTypes.js';
import type { Config } from '../src/config.js';
import { BotError } from '../src/errors.js';
import { defuseMentions } from '../src/messages.js';
import type { GuildSettingDefinitions } from '../src/settings/definitions.js';
import { GUILD_SETTING_KEYS, type GuildSettingKey, type GuildSettings } from '../src/settings/types.js';

/** Discord's most choices in one autocomplete answer, and longest choice name. */
const MAX_CHOICES = 25;
const MAX_CHOICE_NAME = 100;

/** The key a moderator sent (autocomplete lets them type anything): a known key, or a refusal naming the keys. */
function knownKey(key: unknown): GuildSettingKey {
  if (typeof key === 'string' && (GUILD_SETTING_KEYS as readonly string[]).includes(key)) return key as GuildSettingKey;
  throw new BotError('input.unknown_setting', { key: String(key).slice(0, 50), keys: GUILD_SETTING_KEYS.join(', ') });
}

/** What a null (unset) voice, model or speed falls back to: the bot's configuration. */
function fallback(key: GuildSettingKey, config: Config): string {
  const d = config.tts.defaults;
  if (key.endsWith('_template')) return 'in the server’s language';
  return key === 'voice' ? d.voice : key === 'model' ? d.model : key === 'speed' ? String(d.speed) : 'none';
}

type Text = CommandContext<Services>['t'];

function shown(t: Text, key: GuildSettingKey, value: unknown, config: Config): string {
  if (value === null) return t('replies.settings.default', { value: fallback(key, config) === 'none' ? t('replies.settings.none') : fallback(key, config) });
  if (typeof value === 'boolean') return t(value ? 'replies.settings.on' : 'replies.settings.off');
  if (key.endsWith('_role')) return `<@&${String(value)}>`;
  if (value === '') return t('replies.settings.none');
  return defuseMentions(String(value));
}

function view(t: Text, settings: GuildSettings, config: Config, defs: GuildSettingDefinitions): string {
  return GUILD_SETTING_KEYS.map((key) => {
    const value = settings[key];
    const isDefault = value === defs[key].default;
    const text = shown(t, key, value, config);
    return isDefault ? `• ${key}: ${text}` : `• ${key}: **${text}**`;
  }).join('\n');
}

/** /settings: the server's settings, for members with Manage Server. */
export const settings: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('settings')
    .setDescription('Server settings for the speech bot')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) => s.setName('view').setDescription('Show this server’s settings'))
    .addSubcommand((s) =>
      s
        .setName('set')
        .setDescription('Change a setting')
        .addStringOption((o) => o.setName('key').setDescription('Which setting').setRequired(true).setAutocomplete(true))
        .addStringOption((o) => o.setName('value').setDescription('The new value').setRequired(true).setMaxLength(200)),
    )
    .addSubcommand((s) =>
      s
        .setName('reset')
        .setDescription('Put a setting back to its default')
        .addStringOption((o) => o.setName('key').setDescription('Which setting').setRequired(true).setAutocomplete(true)),
    )
    .toJSON(),

  defer: () => 'ephemeral',

  async execute(ctx) {
    const store = ctx.services.settings;
    const config = ctx.services.config;
    const key = ctx.subcommand === 'set' || ctx.subcommand === 'reset' ? knownKey(ctx.options.key) : undefined;
    if (ctx.subcommand === 'set' && key) {
      const next = store.setGuild(ctx.guildId, key, String(ctx.options.value ?? ''));
      await ctx.reply({ content: `${ctx.t('replies.settings.set', { key, value: shown(ctx.t, key, next[key], config) })}\n${view(ctx.t, next, config, store.guildDefinitions)}` });
    } else if (ctx.subcommand === 'reset' && key) {
      const next = store.resetGuild(ctx.guildId, key);
      await ctx.reply({ content: `${ctx.t('replies.settings.reset', { key, value: shown(ctx.t, key, next[key], config) })}\n${view(ctx.t, next, config, store.guildDefinitions)}` });
    } else {
      await ctx.reply({ content: `${ctx.t('replies.settings.heading')}\n${view(ctx.t, store.guild(ctx.guildId), config, store.guildDefinitions)}` });
    }
  },

  async autocomplete(ctx) {
    if (ctx.focused.name !== 'key') return [];
    const typed = ctx.focused.value.toLowerCase();
    const defs = ctx.services.settings.guildDefinitions;
    // In the member's language; a setting without a catalog description yet shows its English one.
    const describe = (k: GuildSettingKey) => (ctx.has(`replies.settings.describe.${k}`) ? ctx.t(`replies.settings.describe.${k}`) : defs[k].description);
    // Keys starting with what was typed first, then keys or descriptions containing it.
    const starts = GUILD_SETTING_KEYS.filter((k) => k.startsWith(typed));
    const contains = GUILD_SETTING_KEYS.filter((k) => !k.startsWith(typed) && (k.includes(typed) || describe(k).toLowerCase().includes(typed)));
    return [...starts, ...contains].slice(0, MAX_CHOICES).map((k) => ({ name: `${k}: ${describe(k)}`.slice(0, MAX_CHOICE_NAME), value: k }));
  },
};
