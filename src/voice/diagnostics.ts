import { execFile } from 'node:child_process';
import { generateDependencyReport } from '@discordjs/voice';
import type { DiagnosisText, DiagnosticSection } from '../observability/diagnostics.js';

/** The libraries @discordjs/voice found, by name → version (or 'yes'); those it did not find are left out. */
export function parseDependencyReport(report: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of report.split('\n')) {
    const m = /^- (.+?): (.+)$/.exec(line.trim());
    if (m && m[2] !== 'not found' && m[2] !== 'no') found.set(m[1]!, m[2]!);
  }
  return found;
}

/** The first line of `ffmpeg -version` (e.g. "ffmpeg version 7.0.2"), or null when it does not run. */
export function ffmpegVersion(path: string, timeoutMs = 5_000): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(path, ['-hide_banner', '-version'], { timeout: timeoutMs }, (err, stdout) => {
      if (err) resolve(null);
      else resolve(/^ffmpeg version (\S+)/.exec(stdout)?.[0] ?? (stdout.split('\n')[0] || null));
    });
  });
}

/** The /diagnose lines about voice, from what was found (null: not found). */
export function voiceLines(
  t: DiagnosisText,
  f: { dave: string | null; opus: string | null; encryption: string[]; ffmpeg: { path: string; version: string | null } },
): string[] {
  return [
    f.dave ? t('replies.diagnose.voice.dave', { library: f.dave }) : t('replies.diagnose.voice.dave_missing'),
    f.encryption.length > 0 ? t('replies.diagnose.voice.encryption', { libraries: f.encryption.join(', ') }) : t('replies.diagnose.voice.encryption_missing'),
    f.opus ? t('replies.diagnose.voice.opus', { library: f.opus }) : t('replies.diagnose.voice.opus_missing'),
    f.ffmpeg.version
      ? t('replies.diagnose.voice.ffmpeg', { version: f.ffmpeg.version, path: f.ffmpeg.path })
      : t('replies.diagnose.voice.ffmpeg_missing', { path: f.ffmpeg.path }),
  ];
}

/** The /diagnose section about voice: DAVE, transport encryption and Opus libraries, ffmpeg's path and version. */
export function voiceSection(deps: { ffmpegPath: string }): DiagnosticSection {
  let ffmpeg: Promise<string | null> | undefined;
  return {
    titleKey: 'replies.diagnose.titles.voice',
    async lines({ t }) {
      const found = parseDependencyReport(generateDependencyReport());
      const pick = (names: string[]) => names.filter((n) => found.has(n)).map((n) => `${n} ${found.get(n)}`);
      ffmpeg ??= ffmpegVersion(deps.ffmpegPath);
      const version = await ffmpeg;
      if (version === null) ffmpeg = undefined; // look again next time: the operator may have fixed it
      return voiceLines(t, {
        dave: pick(['@snazzah/davey'])[0] ?? null,
        opus: pick(['@discordjs/opus', 'opusscript'])[0] ?? null,
        encryption: [
          ...(found.has('native crypto support for aes-256-gcm') ? ['aes-256-gcm (native)'] : []),
          ...pick(['sodium-native', 'sodium', 'libsodium-wrappers', '@stablelib/xchacha20poly1305', '@noble/ciphers']),
        ],
        ffmpeg: { path: deps.ffmpegPath, version },
      });
    },
  };
}
