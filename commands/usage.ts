import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import type { MessageValues } from '../src/i18n/translator.js';
import { CHARS_PER_AUDIO_SECOND } from '../src/usage/audioSeconds.js';
import { budgetLine } from '../src/usage/diagnostics.js';
import type { UsageReport } from '../src/usage/usageMeter.js';

const dollars = (value: number) => (value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`);

type Text = (key: string, values?: MessageValues) => string;


/** The text of /usage for a guild's report, through `t` (mentions are sent without pinging: the router allows none). */
export function usageText(t: Text, r: UsageReport): string {
  const sum = (pick: (m: UsageReport['models'][number]) => number) => r.models.reduce((total, m) => total + pick(m), 0);
  const models = r.models
    .filter((m) => m.monthChars > 0 || m.todayChars > 0)
    .map((m) => {
      if (m.audio) {
        const audioCost = m.monthCost === null ? t('replies.usage.no_audio_price') : t('replies.usage.audio_cost', { cost: dollars(m.monthCost), price: `$${m.price}` });
        return t('replies.usage.model_audio', { model: m.audio.model, today: m.audio.todaySeconds, month: m.audio.monthSeconds, chars: m.monthChars, cost: audioCost });
      }
      const cost = m.monthCost === null ? t('replies.usage.no_price') : t('replies.usage.model_cost', { cost: dollars(m.monthCost), price: `$${m.price}` });
      return t('replies.usage.model', { model: m.model, today: m.todayChars, month: m.monthChars, cost });
    });
  const totalCost = r.models.reduce((total, m) => total + (m.monthCost ?? 0), 0);
  const savedCost = r.models.reduce((total, m) => total + (m.price === null ? 0 : (m.monthSaved * m.price) / 1_000_000), 0);
  const top = r.topMembers.map((member, i) => `${i + 1}. <@${member.userId}> ${member.chars.toLocaleString('en-US')}`);
  return [
    t('replies.usage.heading', { day: r.day, timeZone: r.timeZone, charsPerSecond: CHARS_PER_AUDIO_SECOND }),
    t('replies.usage.today', { sent: sum((m) => m.todayChars), saved: sum((m) => m.todaySaved) }),
    t('replies.usage.month', { sent: sum((m) => m.monthChars), saved: sum((m) => m.monthSaved), savedCost: savedCost > 0 ? dollars(savedCost) : 'none' }),
    t('replies.usage.cost', { cost: dollars(totalCost), nothingSent: models.length > 0 ? 'no' : 'yes' }),
    ...models,
    t('replies.usage.budget_left', { server: budgetLine(t, 'server', r.guildBudget, 'replies.usage'), bot: budgetLine(t, 'bot', r.botBudget, 'replies.usage') }),
    top.length > 0 ? t('replies.usage.top', { members: top.join(' · ') }) : t('replies.usage.top_nobody'),
  ].join('\n');
}

/** /usage: what this server's speech cost, for members with Manage Server. */
export const usage: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('usage')
    .setDescription('Speech used in this server: characters, cache savings, estimated cost, budget left')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .toJSON(),

  defer: () => 'ephemeral',

  async execute(ctx) {
    await ctx.reply({ content: usageText(ctx.t, ctx.services.usage.report(ctx.guildId)) });
  },
};
