import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import type { Config } from '../src/config.js';
import { BotError } from '../src/errors.js';
import { defuseMentions } from '../src/messages.js';
import { guildSettingDefinitions } from '../src/settings/definitions.js';
import { GUILD_SETTING_KEYS, type GuildSettingKey, type GuildSettings } from '../src/settings/types.js';

/** Discord's most choices in one autocomplete answer, and longest choice name. */
const MAX_CHOICES = 25;
const MAX_CHOICE_NAME = 100;

/** The key a moderator sent (autocomplete lets them type anything): a known key, or a refusal naming the keys. */
function knownKey(key: unknown): GuildSettingKey {
  if (typeof key === 'string' && (GUILD_SETTING_KEYS as readonly string[]).includes(key)) return key as GuildSettingKey;
  throw new BotError('input.invalid', { reason: `There is no setting called ${defuseMentions(String(key)).slice(0, 50)}. The settings are: ${GUILD_SETTING_KEYS.join(', ')}.` });
}

/** What a null (unset) voice, model or speed falls back to: the bot's configuration. */
function fallback(key: GuildSettingKey, config: Config): string {
  const d = config.tts.defaults;
  if (key.endsWith('_template')) return 'in the server’s language';
  return key === 'voice' ? d.voice : key === 'model' ? d.model : key === 'speed' ? String(d.speed) : 'none';
}

function shown(key: GuildSettingKey, value: unknown, config: Config): string {
  if (value === null) return `default (${fallback(key, config)})`;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (key.endsWith('_role')) return `<@&${String(value)}>`;
  if (value === '') return 'none';
  return defuseMentions(String(value));
}

function view(settings: GuildSettings, config: Config): string {
  const defs = guildSettingDefinitions(config.tts);
  return GUILD_SETTING_KEYS.map((key) => {
    const value = settings[key];
    const isDefault = value === defs[key].default;
    const text = shown(key, value, config);
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
      await ctx.reply({ content: `✅ ${key} is now **${shown(key, next[key], config)}**.\n${view(next, config)}` });
    } else if (ctx.subcommand === 'reset' && key) {
      const next = store.resetGuild(ctx.guildId, key);
      await ctx.reply({ content: `↩️ ${key} is back to its default (${shown(key, next[key], config)}).\n${view(next, config)}` });
    } else {
      await ctx.reply({ content: `Settings for this server (changed ones in bold):\n${view(store.guild(ctx.guildId), config)}` });
    }
  },

  async autocomplete(ctx) {
    if (ctx.focused.name !== 'key') return [];
    const typed = ctx.focused.value.toLowerCase();
    const defs = guildSettingDefinitions(ctx.services.config.tts);
    // Keys starting with what was typed first, then keys or descriptions containing it.
    const starts = GUILD_SETTING_KEYS.filter((k) => k.startsWith(typed));
    const contains = GUILD_SETTING_KEYS.filter((k) => !k.startsWith(typed) && (k.includes(typed) || defs[k].description.toLowerCase().includes(typed)));
    return [...starts, ...contains].slice(0, MAX_CHOICES).map((k) => ({ name: `${k}: ${defs[k].description}`.slice(0, MAX_CHOICE_NAME), value: k }));
  },
};
