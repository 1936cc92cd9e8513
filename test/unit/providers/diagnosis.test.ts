import { describe, expect, it } from 'vitest';
import { loadCatalogs } from '../../../src/i18n/catalog.js';
import { createTranslator } from '../../../src/i18n/translator.js';
import { renderDiagnosis, type DiagnosisText } from '../../../src/observability/diagnostics.js';
import { providerDiagnosis as providerLines, type ProviderDiagnosisFacts } from '../../../src/speech/providers/diagnostics.js';

const translator = createTranslator(loadCatalogs());
const textIn = (language: string): DiagnosisText => (key, values) => translator.text(language, key, values);
const en = textIn('en-US');
const providerDiagnosis = (rank: number, f: ProviderDiagnosisFacts) => providerLines(en, rank, f);

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

  it('in German: plurals, the state and the counts in German, markup and names as they are', () => {
    const lines = providerLines(textIn('de'), 1, {
      ...base,
      state: { status: 'open', since: 1_000_000, until: 1_030_000 },
      retiring: [{ model: 'tts-1', shutdownDate: '2027-01-06', daysLeft: 1 }],
      unavailable: [{ model: 'gpt-4o-mini-tts', reason: 'refused', since: 2_000_000 }],
      lastCheck: { at: 0, outcome: 'ok', ms: 42 },
    });
    expect(lines).toEqual([
      '**1. openai** (api.openai.com): 🔴 Schutzschalter offen bis <t:1030:R> (fehlerhaft seit <t:1000:R>); Anfragen gehen an den nächsten Anbieter',
      '• Modelle: tts-1',
      '• ⚠️ tts-1 wird am 2027-01-06 abgeschaltet (in 1 Tag)',
      '• ⛔ gpt-4o-mini-tts nicht verfügbar (abgelehnt) seit <t:2000:R>',
      '• hat GET /models mit dem konfigurierten Schlüssel in 42 ms beantwortet <t:0:R>',
      '• seit dem Start: 9/10 Anfragen bedient, 1 weitergereicht, 0-mal auf ein Ersatzmodell ausgewichen',
    ]);
  });

  it('a section that fails says so instead of failing the whole report, titles from the catalog', async () => {
    const text = await renderDiagnosis([
      { titleKey: 'replies.diagnose.titles.bot', lines: () => ['fine'] },
      {
        titleKey: 'replies.diagnose.titles.storage',
        lines: () => {
          throw new Error('store closed');
        },
      },
    ], { guildId: '1', channelId: '2', memberVoiceChannelId: null, t: en });
    expect(text).toBe('__The bot__\nfine\n\n__Cache and database__\n(could not be gathered: store closed)');
    const ja = await renderDiagnosis([{ titleKey: 'replies.diagnose.titles.storage', lines: () => { throw new Error('x'); } }], {
      guildId: '1', channelId: '2', memberVoiceChannelId: null, t: textIn('ja'),
    });
    expect(ja).toBe('__キャッシュとデータベース__\n（取得できませんでした：x）');
  });
});
