import type { Services } from '../src/app.js';
import type { CommandContext } from '../src/discord/commandTypes.js';
import type { EntryOutcome } from '../src/voice/GuildPlayback.js';

/** How a queued item's reply reads once it is over, in the reply's language. */
export function outcomeText(ctx: Pick<CommandContext<Services>, 't' | 'tError'>, outcome: EntryOutcome, channelId: string, label: string, started: boolean): string {
  const cut = started ? 'yes' : 'no';
  switch (outcome.status) {
    case 'spoken':
      return ctx.t('replies.outcome.spoken', { channelId, label });
    case 'skipped':
      return ctx.t('replies.outcome.skipped', { label });
    case 'cancelled':
      return ctx.t('replies.outcome.cancelled', { started: cut, why: ctx.t(`replies.outcome.why.${outcome.reason}`) });
    case 'failed':
      return ctx.t('replies.outcome.failed', { started: cut, error: ctx.tError(outcome.error) });
  }
}
