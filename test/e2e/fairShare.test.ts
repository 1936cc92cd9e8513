import { describe, expect, it } from 'vitest';
import type { GuildHandle } from '../standins/discord/index.js';
import { useWorld, type World } from './world.js';

// One provider call at a time, each holding its slot for ≥ 400 ms, so the order the provider sees is the limiter's.
const ENV = { TTS_MAX_CONCURRENCY: '1', DISCORD_DEV_GUILD_ID: '' };

describe('sharing the provider between servers', () => {
  let w: World;
  let other: GuildHandle;
  useWorld({ env: ENV, speech: { ttfbMs: 400 } }, (started) => {
    w = started;
    other = w.discord.addGuild({
      name: 'Other Server',
      ownerUsername: 'olga',
      channels: [{ name: 'general', type: 'text' }],
      members: [{ username: 'olga', globalName: 'Olga' }],
    });
  });

  it('a server asking once is served next, not behind another server’s backlog of six', async () => {
    await w.discord.waitForReady(10_000);
    const busy = ['alice', 'bob', 'carol', 'dave', 'alice', 'bob'].map((member, i) =>
      w.speak(member as 'alice', { text: `Busy server request number ${i + 1}`, format: 'mp3', output: 'file' }),
    );
    const deadline = Date.now() + 10_000;
    while (w.speech.requests.length < 1) {
      if (Date.now() > deadline) throw new Error('the provider never got the first request');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 100));
    const lone = w.discord.interact({
      guildId: other.id,
      channelId: other.channel('general').id,
      userId: other.member('olga').id,
      command: 'speak',
      options: { text: 'One request from the quiet server', format: 'mp3', output: 'file' },
    });

    const all = [...busy, lone];
    for (const h of all) await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 30_000);
    const order = w.speech.requests.map((r) => (r.body as { input: string }).input);
    expect(order).toHaveLength(7);
    // First in, first out would put it last (index 6); fair turns put it right after the call holding the slot.
    expect(order.indexOf('One request from the quiet server')).toBeLessThanOrEqual(2);
    expect(order.filter((t) => t.startsWith('Busy')).sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `Busy server request number ${n}`));
    expect(lone.message()!.attachments[0]!.data.equals(await w.speech.expectedAudio({ input: 'One request from the quiet server', response_format: 'mp3' }))).toBe(true);
  }, 60_000);
});
