import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchBurst } from './burst.js';
import { benchConversation } from './conversation.js';
import { benchLatency } from './latency.js';
import { benchLongText } from './longText.js';
import { benchReplay } from './conversationReplay.js';
import { benchScale } from './scale.js';
import { benchSoak } from './soak.js';
import { benchStore } from './store.js';
import { benchStreams } from './streams.js';
import { benchVoiceMessage } from './voiceMessage.js';
import { machineLine, markdownTable, type BenchRow } from './table.js';

/** Every benchmark by name; `npm run bench -- <name>` runs only the ones named. */
const BENCHES: Record<string, () => Promise<BenchRow[]>> = {
  store: benchStore,
  latency: benchLatency,
  longtext: benchLongText,
  streams: benchStreams,
  burst: benchBurst,
  soak: benchSoak,
  conversation: benchConversation,
  replay: benchReplay,
  voicemessage: benchVoiceMessage,
  scale: benchScale,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
const unknown = names.filter((n) => !(n in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}

const rows: BenchRow[] = [];
for (const name of names) {
  process.stderr.write(`running ${name}…\n`);
  rows.push(...(await BENCHES[name]!()));
}
const table = markdownTable(rows);
const machine = machineLine();
const stamp = new Date().toISOString();
process.stdout.write(`\n${machine}\n${stamp}\n\n${table}\n`);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'latest.md'), `# Benchmark results\n\n${machine}  \n${stamp}\n\n${table}\n`);
process.stderr.write(`written to bench/results/latest.md\n`);
