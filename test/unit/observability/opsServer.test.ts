import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { startOpsServer, type OpsServer } from '../../../src/observability/opsServer.js';
import { OutcomeWindow } from '../../../src/observability/outcomeWindow.js';

describe('OutcomeWindow (speech readiness)', () => {
  it('is "all failed" only when the window holds calls and none succeeded', () => {
    let now = 0;
    const w = new OutcomeWindow(60_000, () => now);
    expect(w.allFailed()).toBe(false);
    w.record(true);
    now = 10_000;
    w.record(false);
    w.record(false);
    expect(w.allFailed()).toBe(false);
    now = 60_001;
    expect(w.allFailed()).toBe(true);
    w.record(true);
    expect(w.allFailed()).toBe(false);
    now = 200_000;
    expect(w.allFailed()).toBe(false);
  });
});

describe('ops server', () => {
  let server: OpsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('/readyz lists every check that does not hold; /metrics serves the registry; unknown paths 404', async () => {
    const state = { gateway: false, speech: false };
    const metrics = createMetrics();
    metrics.interaction('speak', 'ok');
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      checks: [
        { name: 'gateway', ready: () => state.gateway },
        { name: 'settings', ready: () => true },
        { name: 'speech', ready: () => state.speech },
      ],
      logger: createLogger('silent'),
    });
    const base = `http://127.0.0.1:${server.port}`;
    let res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, notReady: ['gateway', 'speech'] });
    state.gateway = true;
    res = await fetch(`${base}/readyz`);
    expect(await res.json()).toEqual({ ready: false, notReady: ['speech'] });
    state.speech = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('speechbot_interactions_total{command="speak",outcome="ok"} 1');
    // Transcription series exist from the start (rates work from the first scrape).
    expect(text).toContain('speechbot_transcriptions_total{trigger="menu",result="transcribed"} 0');
    expect(text).toContain('speechbot_transcriptions_total{trigger="auto",result="failed"} 0');
    expect(text).toContain('speechbot_transcription_audio_seconds_sent_total 0');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('two metric sets do not share a registry (no global state)', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.read('read');
    a.transcription('auto', 'too_large');
    a.transcriptionSent(2.5);
    a.transcriptionRequest('openai', 'speech.timeout');
    const [textA, textB] = [await a.registry.metrics(), await b.registry.metrics()];
    expect(textB).toContain('speechbot_reads_total{result="read"} 0');
    expect(textA).toContain('speechbot_reads_total{result="read"} 1');
    expect(textB).toContain('speechbot_transcriptions_total{trigger="auto",result="too_large"} 0');
    expect(textA).toContain('speechbot_transcriptions_total{trigger="auto",result="too_large"} 1');
    expect(textB).toContain('speechbot_transcription_audio_seconds_sent_total 0');
    expect(textA).toContain('speechbot_transcription_audio_seconds_sent_total 2.5');
    expect(textB).not.toContain('speechbot_transcription_requests_total{');
    expect(textA).toContain('speechbot_transcription_requests_total{provider="openai",outcome="speech.timeout"} 1');
  });
});
