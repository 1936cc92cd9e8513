import { afterAll, describe, expect, it } from 'vitest';
import { freePort, sample } from './opsPort.js';
import { startWorld, type World } from './world.js';

describe('operations HTTP server (HTTP_PORT)', () => {
  let w: World;
  let base: string;
  afterAll(async () => {
    await w?.close();
  });

  it('/readyz answers 503 naming the gateway before READY, 200 after; /healthz answers 200', async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    w = await startWorld({ env: { HTTP_PORT: String(port) } });
    const release = w.discord.holdReady();
    const started = w.startBot();
    started.catch(() => undefined);
    let early: Response | undefined;
    for (let i = 0; i < 400 && !early; i++) {
      early = await fetch(`${base}/readyz`).catch(() => undefined);
      if (!early) await new Promise((r) => setTimeout(r, 50));
    }
    expect(early?.status).toBe(503);
    expect(await early!.json()).toEqual({ ready: false, notReady: ['gateway'] });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    release();
    await started;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    // Newcomer help, once: the invite URL, the commands check, where the data lives.
    const bot = await started;
    await bot.waitForLine(/registered commands match the bot/, 10_000);
    const invite = bot.output.filter((l) => /invite the bot with this URL/.test(l));
    expect(invite).toHaveLength(1);
    expect(invite[0]).toContain(`client_id=${w.discord.applicationId}&scope=bot+applications.commands&permissions=70368747424832`);
    expect(bot.output.some((l) => l.includes('data (settings database, audio cache) lives here') && l.includes(w.dataDir))).toBe(true);
  });

  it('after one /speak, /metrics shows the interaction, the speech request and the characters sent; no ids in labels', async () => {
    w.join('alice', 'Lounge');
    const text = 'Metrics are counted here';
    const h = w.speak('alice', { text });
    await h.waitFor((x) => /Spoke in/.test(x.message()?.content ?? ''), 20_000);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(sample(body, 'speechbot_interactions_total{command="speak",outcome="ok"}')).toBe(1);
    expect(sample(body, 'speechbot_speech_requests_total{outcome="ok"}')).toBe(1);
    expect(sample(body, 'speechbot_speech_characters_sent_total')).toBe((w.speech.requests.at(-1)!.body as { input: string }).input.length);
    expect(sample(body, 'speechbot_speech_ttfb_seconds_count')).toBe(1);
    expect(sample(body, 'speechbot_provider_calls_total{provider="default",result="served"}')).toBe(1);
    expect(sample(body, 'speechbot_voice_connections')).toBe(1);
    expect(sample(body, 'speechbot_audio_cache_lookups_total{result="miss"}')).toBe(1);
    expect(body).toMatch(/^process_resident_memory_bytes /m);
    // No label carries a guild, user, channel or interaction id (snowflakes are 17-20 digits).
    expect(body).not.toMatch(/\{[^}]*"\d{17,20}"/);
    for (const id of [w.guild.id, w.guild.member('alice').id, w.channelId('Lounge')]) expect(body).not.toContain(id);
  });

  it('a /speak whose speech the provider refuses: the command is counted done (it was queued), its provider call as an error', async () => {
    w.speech.always({ kind: 'status', status: 401 });
    const failed = w.speak('alice', { text: 'This one is refused' });
    await failed.waitFor((x) => /API key/.test(x.message()?.content ?? x.followups().at(-1)?.content ?? ''), 20_000);
    w.speech.always(null);
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(sample(body, 'speechbot_speech_requests_total{outcome="error"}')).toBe(1);
    expect(sample(body, 'speechbot_interactions_total{command="speak",outcome="ok"}')).toBe(2);
    expect(sample(body, 'speechbot_provider_calls_total{provider="default",result="failures"}')).toBe(1);
  });
});
