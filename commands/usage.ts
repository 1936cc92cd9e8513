import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { CHARS_PER_AUDIO_SECOND } from '../src/usage/audioSeconds.js';
import type { BudgetFigures, UsageReport } from '../src/usage/usageMeter.js';

const n = (value: number) => value.toLocaleString('en-US');
const dollars = (value: number) => (value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`);
const when = (ms: number) => `<t:${Math.ceil(ms / 1000)}:R>`;

function budget(name: string, b: BudgetFigures): string {
  if (b.limit === 0) return `${name}: no limit (${n(b.used)} used today)`;
  return `${name}: ${n(Math.max(0, b.limit - b.used))} of ${n(b.limit)} left, resets ${when(b.resetAt)}`;
}

/** The text of /usage for a guild's report (mentions are sent without pinging: the router allows none). */
export function usageText(r: UsageReport): string {
  const sum = (pick: (m: UsageReport['models'][number]) => number) => r.models.reduce((total, m) => total + pick(m), 0);
  const models = r.models
    .filter((m) => m.monthChars > 0 || m.todayChars > 0)
    .map((m) => {
      if (m.audio) {
        const audioCost = m.monthCost === null ? 'no price set (TRANSCRIBE_PRICES)' : `≈ ${dollars(m.monthCost)} at $${m.price}/min`;
        return `• ${m.audio.model} (transcription): ${n(m.audio.todaySeconds)} s of audio today, ${n(m.audio.monthSeconds)} s this month (counted as ${n(m.monthChars)} characters), ${audioCost}`;
      }
      const cost = m.monthCost === null ? 'no price set (TTS_PRICES)' : `≈ ${dollars(m.monthCost)} at $${m.price}/M`;
      return `• ${m.model}: ${n(m.todayChars)} today, ${n(m.monthChars)} this month, ${cost}`;
    });
  const totalCost = r.models.reduce((total, m) => total + (m.monthCost ?? 0), 0);
  const savedCost = r.models.reduce((total, m) => total + (m.price === null ? 0 : (m.monthSaved * m.price) / 1_000_000), 0);
  const top = r.topMembers.map((t, i) => `${i + 1}. <@${t.userId}> ${n(t.chars)}`);
  return [
    `📊 Speech in this server (${r.day}, ${r.timeZone}), in characters sent to the speech service (a second of transcribed audio counts as ${CHARS_PER_AUDIO_SECOND}):`,
    `Today: **${n(sum((m) => m.todayChars))}** sent · ${n(sum((m) => m.todaySaved))} answered from the cache instead`,
    `This month: **${n(sum((m) => m.monthChars))}** sent · ${n(sum((m) => m.monthSaved))} answered from the cache instead${savedCost > 0 ? ` (≈ ${dollars(savedCost)} saved)` : ''}`,
    `Estimated cost this month: **${dollars(totalCost)}**${models.length > 0 ? '' : ' (nothing sent yet)'}`,
    ...models,
    `Budget left today — ${budget('this server', r.guildBudget)} · ${budget('the whole bot', r.botBudget)}`,
    top.length > 0 ? `Most this month: ${top.join(' · ')}` : 'Most this month: nobody yet',
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
    await ctx.reply({ content: usageText(ctx.services.usage.report(ctx.guildId)) });
  },
};
