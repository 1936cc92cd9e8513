import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { BotError } from '../src/errors.js';
import { defuseMentions } from '../src/messages.js';
import { shorten } from '../src/features/speak.js';
import { DICTIONARY_FILE_MAX_BYTES, dictionaryToJson, parseDictionaryFile } from '../src/features/reading/dictionaryFile.js';
import { DICTIONARY_TEXT_MAX } from '../src/settings/dictionary.js';

/** /dictionary: how words are pronounced in this server (Manage Server). */
export const dictionary: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('dictionary')
    .setDescription('How words are pronounced in this server')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) =>
      s
        .setName('add')
        .setDescription('Say a word differently')
        .addStringOption((o) => o.setName('word').setDescription('The word as written').setRequired(true).setMaxLength(DICTIONARY_TEXT_MAX))
        .addStringOption((o) => o.setName('reading').setDescription('How to say it').setRequired(true).setMaxLength(DICTIONARY_TEXT_MAX)),
    )
    .addSubcommand((s) =>
      s
        .setName('remove')
        .setDescription('Forget a word')
        .addStringOption((o) => o.setName('word').setDescription('The word as written').setRequired(true).setMaxLength(DICTIONARY_TEXT_MAX)),
    )
    .addSubcommand((s) => s.setName('list').setDescription('Show the dictionary'))
    .addSubcommand((s) => s.setName('export').setDescription('The dictionary as a file'))
    .addSubcommand((s) =>
      s
        .setName('import')
        .setDescription('Add words from a file (as /dictionary export makes)')
        .addAttachmentOption((o) => o.setName('file').setDescription('JSON, or lines of "word = reading"').setRequired(true))
        .addBooleanOption((o) => o.setName('replace').setDescription('Replace the whole dictionary (default: add to it)')),
    )
    .toJSON(),

  defer: () => 'ephemeral',

  async execute(ctx) {
    const store = ctx.services.settings.dictionary;
    const word = String(ctx.options.word ?? '');
    switch (ctx.subcommand) {
      case 'add': {
        const { replaced } = store.set(ctx.guildId, word, String(ctx.options.reading ?? ''));
        await ctx.reply({
          content: ctx.t('replies.dictionary.added', {
            word: defuseMentions(word.trim()),
            reading: defuseMentions(String(ctx.options.reading).trim()),
            replaced: replaced ? 'yes' : 'no',
          }),
        });
        return;
      }
      case 'remove': {
        const removed = store.remove(ctx.guildId, word);
        const shown = defuseMentions(word.trim());
        await ctx.reply({ content: ctx.t(removed ? 'replies.dictionary.removed' : 'replies.dictionary.not_found', { word: shown }) });
        return;
      }
      case 'list': {
        const entries = store.entries(ctx.guildId);
        const lines = entries.map((e) => `• ${e.word} → ${e.reading || ctx.t('replies.dictionary.not_said')}`);
        await ctx.reply({
          content: entries.length === 0 ? ctx.t('replies.dictionary.empty') : shorten(`${ctx.t('replies.dictionary.list', { count: entries.length })}\n${lines.join('\n')}`, 1900),
        });
        return;
      }
      case 'export': {
        const entries = store.entries(ctx.guildId);
        await ctx.reply({
          content: ctx.t('replies.dictionary.exported', { count: entries.length }),
          files: [{ name: 'dictionary.json', data: Buffer.from(dictionaryToJson(entries)), contentType: 'application/json' }],
        });
        return;
      }
      case 'import': {
        const file = ctx.attachments.file;
        if (!file) throw new BotError('input.dictionary_no_file');
        if (file.size > DICTIONARY_FILE_MAX_BYTES) throw new BotError('input.dictionary_file_too_large', { limitKiB: DICTIONARY_FILE_MAX_BYTES / 1024 });
        const response = await fetch(file.url, { signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new BotError('input.dictionary_download_failed');
        const text = await response.text();
        const count = store.import(ctx.guildId, parseDictionaryFile(text.slice(0, DICTIONARY_FILE_MAX_BYTES)), ctx.options.replace === true);
        await ctx.reply({
          content: ctx.t('replies.dictionary.imported', { count, replaced: ctx.options.replace === true ? 'yes' : 'no', total: store.entries(ctx.guildId).length }),
        });
        return;
      }
    }
  },
};
