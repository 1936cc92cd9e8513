import { describe, expect, it } from 'vitest';
import type { ProviderSpec } from '../../../src/config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { ModelAvailability } from '../../../src/speech/providers/modelAvailability.js';
import { createModelWatch } from '../../../src/speech/providers/modelWatch.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');

function spec(name: string, models: string[], extra: Partial<ProviderSpec> = {}): ProviderSpec {
  return { name, baseUrl: `http://${name}/v1`, apiKey: 'sk-secret', models, voices: undefined, voiceMap: {}, formats: ['mp3'], speed: true, instructions: true, modelsEndpoint: true, maxConcurrency: undefined, ...extra };
}

function setup(providers: ProviderSpec[], answers: Record<string, Response | Error>, now = NOW) {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const models = new ModelAvailability(logger, () => now);
  const asked: Array<{ url: string; auth: string | null }> = [];
  const watch = createModelWatch({
    providers,
    models,
    logger,
    clock: { now: () => now, setTimeout: () => 0, clearTimeout: () => {} },
    fetch: async (url, init) => {
      asked.push({ url: String(url), auth: new Headers(init?.headers).get('authorization') });
      const answer = answers[String(url)];
      if (answer instanceof Error) throw answer;
      return answer ?? new Response('{}', { status: 500 });
    },
  });
  return { watch, models, lines, asked };
}

const list = (data: unknown[]) => new Response(JSON.stringify({ object: 'list', data }), { headers: { 'content-type': 'application/json' } });
const openAiList = () =>
  list([
    { id: 'tts-1', object: 'model', created: 1, owned_by: 'system', shutdown_date: '2027-01-06' },
    { id: 'tts-1-hd', object: 'model', created: 1, owned_by: 'system', shutdown_date: '2027-01-06' },
    { id: 'gpt-4o-mini-tts', object: 'model', created: 1, owned_by: 'system', shutdown_date: '2027-01-06' },
    { id: 'gpt-5', object: 'model', created: 1, owned_by: 'system', shutdown_date: null },
  ]);

describe('model watch', () => {
  it('warns once about retiring and missing models, and loudly when every model is going', async () => {
    const { watch, models, lines, asked } = setup([spec('openai', ['gpt-4o-mini-tts', 'tts-1', 'tts-2'])], { 'http://openai/v1/models': openAiList() });
    await watch.checkAll();
    expect(asked).toEqual([{ url: 'http://openai/v1/models', auth: 'Bearer sk-secret' }]);
    expect(models.lastCheck('openai')).toMatchObject({
      outcome: 'ok',
      missing: ['tts-2'],
      retiring: [
        { model: 'gpt-4o-mini-tts', shutdownDate: '2027-01-06', daysLeft: 30 },
        { model: 'tts-1', shutdownDate: '2027-01-06', daysLeft: 30 },
      ],
    });
    const retiring = lines.filter((l) => l.includes('shuts down on 2027-01-06'));
    expect(retiring).toHaveLength(2);
    expect(lines.filter((l) => l.includes('does not list it'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('"level":"error"') && l.includes('every configured speech model'))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain('sk-secret');
  });

  it('says nothing about models shutting down more than 30 days away', async () => {
    const { watch, models, lines } = setup([spec('openai', ['tts-1'])], { 'http://openai/v1/models': openAiList() }, Date.parse('2026-12-06T00:00:00Z'));
    await watch.checkAll();
    expect(models.lastCheck('openai')?.retiring).toEqual([]);
    expect(lines.filter((l) => l.includes('shuts down'))).toHaveLength(0);
  });

  it('after the shutdown date the model is marked unavailable (retired)', async () => {
    const { watch, models } = setup([spec('openai', ['tts-1', 'gpt-4o-mini-tts'])], { 'http://openai/v1/models': openAiList() }, Date.parse('2027-01-06T08:00:00Z'));
    await watch.checkAll();
    expect(models.unavailableList('openai').map((m) => [m.model, m.reason])).toEqual([
      ['tts-1', 'retired'],
      ['gpt-4o-mini-tts', 'retired'],
    ]);
  });

  it('a provider without GET /models, or one that is down, is recorded as such; other providers still get checked', async () => {
    const { watch, models, lines } = setup(
      [spec('openedai', ['tts-1']), spec('down', ['x']), spec('nolist', ['y'], { modelsEndpoint: false }), spec('kokoro', ['kokoro'])],
      {
        'http://openedai/v1/models': new Response('{"detail":"Not Found"}', { status: 404 }),
        'http://down/v1/models': new Error('ECONNREFUSED'),
        'http://kokoro/v1/models': list([{ id: 'kokoro', object: 'model', created: 1, owned_by: 'kokoro' }]),
      },
    );
    await watch.checkAll();
    expect(models.lastCheck('openedai')?.outcome).toBe('no-endpoint');
    expect(models.lastCheck('down')).toMatchObject({ outcome: 'failed', detail: 'unreachable' });
    expect(models.lastCheck('nolist')).toBeUndefined();
    expect(models.lastCheck('kokoro')).toMatchObject({ outcome: 'ok', missing: [], retiring: [] });
    expect(lines.some((l) => l.includes('every configured speech model'))).toBe(false);
  });
});
