import { PermissionFlagsBits as P } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { InteractionHandle } from '../standins/discord/index.js';
import { useWorld, type World } from './world.js';

/** /diagnose tells moderators, privately, what the bot lacks and where, with the facts an operator needs. */
describe('/diagnose', () => {
  let w: World;
  useWorld(
    {
      guild: {
        extraChannels: [
          { name: 'Mute Room', type: 'voice', permissionOverwrites: [{ member: 'speech-bot', deny: P.Speak }] },
          { name: 'no-reactions', type: 'text', permissionOverwrites: [{ member: 'speech-bot', deny: P.AddReactions }] },
        ],
      },
    },
    (started) => {
      w = started;
    },
  );

  const text = (h: InteractionHandle) => h.message()?.content ?? '';
  async function diagnose(channel = 'general'): Promise<InteractionHandle> {
    const h = w.discord.interact({
      guildId: w.guild.id,
      channelId: w.channelId(channel),
      userId: w.guild.member('dave').id,
      command: 'diagnose',
      options: {},
    });
    await h.waitFor((x) => text(x).length > 0, 20_000);
    return h;
  }

  it('where the bot lacks Speak in the member’s voice channel: names Speak and that channel, privately', async () => {
    w.join('dave', 'Mute Room');
    const h = await diagnose();
    expect(h.ephemeral).toBe(true);
    const body = text(h);
    expect(body).toContain(`<#${w.channelId('Mute Room')}>: ⛔ missing **Speak**`);
    expect(body).not.toMatch(/missing \*\*(View Channel|Connect)\*\*/);
    // This text channel is fine.
    expect(body).toContain(`<#${w.channelId('general')}>: ✅ View Channel, Send Messages, Read Message History, Add Reactions, Attach Files, Send Voice Messages`);
  });

  it('a German moderator gets the report in German: section titles, a missing permission and what it is for', async () => {
    w.join('dave', 'Mute Room');
    const h = w.command('dave', 'diagnose', {}, undefined, 'de');
    await h.waitFor((x) => text(x).length > 0, 20_000);
    const body = text(h);
    for (const title of ['Der Bot', 'Meine Berechtigungen hier', 'Sprachübertragung', 'Sprachdienste (in Reihenfolge)', 'Cache und Datenbank', 'Budget und Ratenlimit auf diesem Server']) {
      expect(body).toContain(`__${title}__`);
    }
    expect(body).toContain(`<#${w.channelId('Mute Room')}>: ⛔ es fehlt **Speak** (um gehört zu werden)`);
    expect(body).toMatch(/dieser Server: heute noch 100\.000 von 100\.000 Zeichen übrig, wird <t:\d+:R> zurückgesetzt/);
    expect(body).toContain('der ganze Bot: kein tägliches Zeichenbudget (heute 0 Zeichen)');
    expect(body).toContain('jedes Mitglied darf 10 Sprachanfragen pro Minute stellen');
    expect(body).not.toContain('The bot');
  });

  it('in a voice channel where all is well, and from a text channel where reactions are denied', async () => {
    w.join('dave', 'Lounge');
    const body = text(await diagnose('no-reactions'));
    expect(body).toContain(`<#${w.channelId('Lounge')}>: ✅ View Channel, Connect, Speak`);
    expect(body).toContain(`<#${w.channelId('no-reactions')}>: ⛔ missing **Add Reactions**`);
  });

  it('a server with a daily budget: the characters left today', async () => {
    const set = w.command('dave', 'settings', { key: 'char_budget_daily', value: '5000' }, 'set');
    await set.waitFor((x) => text(x).length > 0, 15_000);
    expect(text(await diagnose())).toMatch(/this server: 5,000 of 5,000 characters left today, resets <t:\d+:R>/);
  });

  it('gives version, uptime, gateway ping, intents, voice libraries, ffmpeg, cache and database; nothing secret', async () => {
    const body = text(await diagnose());
    console.info(`[figure] /diagnose reply: ${body.length} characters`);
    expect(body.length).toBeLessThanOrEqual(2000);
    expect(body).toMatch(/version \d+\.\d+\.\d+, up \d+/);
    expect(body).toMatch(/gateway ping (\d+ ms|not measured yet)/);
    expect(body).toContain('intents: Guilds, GuildVoiceStates');
    expect(body).toMatch(/DAVE \(end-to-end voice encryption\): @snazzah\/davey \d/);
    expect(body).toMatch(/ffmpeg: ffmpeg version \S+ at \//);
    expect(body).toMatch(/audio cache: [\d.]+ MiB of 256\.0 MiB/);
    expect(body).toContain(`database: ${w.dataDir}/settings.sqlite`);
    expect(body).toMatch(/schema version \d+/);
    expect(body).toContain('the whole bot: no daily character budget');
    expect(body).toContain('each member may make 10 speech requests a minute');
    expect(body).not.toContain(w.speech.apiKey);
    expect(body).not.toContain(w.discord.token);
  });
});
