/**
 * Runs the speech stand-in by hand:
 * `node_modules/.bin/node --import tsx test/standins/speech/cli.ts [--port 8089] [--key sk-…] [--ttfb 200] [--pace realtime-x1|BYTES]`
 * Prints the base URL and key; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { startSpeechStandin, type Pace, type SpeechStandinOptions } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8089' },
    key: { type: 'string' },
    ttfb: { type: 'string' },
    pace: { type: 'string' },
  },
});

const options: SpeechStandinOptions = { port: Number(values.port) };
if (values.key !== undefined) options.apiKey = values.key;
if (values.ttfb !== undefined) options.ttfbMs = Number(values.ttfb);
if (values.pace !== undefined) options.bytesPerSecond = (/^\d+(\.\d+)?$/.test(values.pace) ? Number(values.pace) : values.pace) as Pace;

const speech = await startSpeechStandin(options);
console.log(`speech stand-in listening: ${speech.baseUrl}`);
console.log(`API key: ${speech.apiKey}`);
speech.on('response-end', (rec) => {
  const audio = rec.audio ? ` ${rec.audio.format} ${rec.audio.toneHz} Hz ${rec.audio.durationSeconds.toFixed(2)} s` : '';
  console.log(`${rec.method} ${rec.path} → ${rec.status} ${rec.outcome} ${rec.bytesSent} B${audio}`);
});
process.once('SIGINT', () => void speech.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void speech.close().then(() => process.exit(0)));
