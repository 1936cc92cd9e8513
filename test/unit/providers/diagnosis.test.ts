import { describe, expect, it } from 'vitest';
import { providerDiagnosis, type ProviderDiagnosisFacts } from '../../../src/messages.js';
import { renderDiagnosis } from '../../../src/observability/diagnostics.js';

const base: ProviderDiagnosisFacts = {
  name: 'openai',
  host: 'api.openai.com',
  state: { status: 'healthy' },
  models: ['gpt-4o-mini-tts', 'tts-1'],
  retiring: [],
  missing: [],
  unavailable: [],
  lastCheck: undefined,
  counts: { requests: 10, served: 9, failovers: 1, modelFallbacks: 0 },
};

describe('/diagnose text', () => {
  it('says each state in words, with Discord time stamps', () => {
    expect(providerDiagnosis(1, base)[0]).toBe('**1. openai** (api.openai.com): 🟢 healthy');
    expect(providerDiagnosis(1, { ...base, state: { status: 'failing', since: 1_000_000, failures: 2 } })[0]).toContain('failing since <t:1000:R> (2 in a row)');
    expect(providerDiagnosis(2, { ...base, state: { status: 'open', since: 1_000_000, until: 1_030_000 } })[0]).toContain('circuit open until <t:1030:R>');
    expect(providerDiagnosis(1, { ...base, state: { status: 'probing', since: 1_000_000 } })[0]).toContain('trying again');
  });

  it('lists usable models, retiring and gone ones, and the counts', () => {
    const lines = providerDiagnosis(1, {
      ...base,
      retiring: [{ model: 'tts-1', shutdownDate: '2027-01-06', daysLeft: 1 }],
      unavailable: [{ model: 'gpt-4o-mini-tts', reason: 'refused', since: 2_000_000 }],
      missing: ['tts-1-hd'],
      lastCheck: { at: 0, outcome: 'ok' },
    });
    expect(lines).toEqual([
      '**1. openai** (api.openai.com): 🟢 healthy',
      '• models: tts-1',
      '• ⚠️ tts-1 shuts down on 2027-01-06 (in 1 day)',
      '• ⚠️ not listed by the provider: tts-1-hd',
      '• ⛔ gpt-4o-mini-tts unavailable (refused) since <t:2000:R>',
      '• answered GET /models with the configured key <t:0:R>',
      '• since start: 9/10 requests served, 1 passed on, 0 model fallbacks',
    ]);
  });

  it('a section that fails says so instead of failing the whole report', async () => {
    const text = await renderDiagnosis([
      { title: 'A', lines: () => ['fine'] },
      {
        title: 'B',
        lines: () => {
          throw new Error('store closed');
        },
      },
    ], { guildId: '1', channelId: '2', memberVoiceChannelId: null });
    expect(text).toBe('__A__\nfine\n\n__B__\n(could not be gathered: store closed)');
  });
});
