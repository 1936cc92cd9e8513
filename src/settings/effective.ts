import type { Config } from '../config.js';
import type { GuildSettings, MemberSettings } from './definitions.js';
import type { MemberView } from './types.js';

/** What the command itself asked for (undefined: not given). */
export interface CommandChoice {
  voice?: string | undefined;
  model?: string | undefined;
  speed?: number | undefined;
}

/** Voice, model and speed for a request: command options > member (this guild) > member (global) > guild > config. */
export function effectiveSpeech(
  command: CommandChoice,
  member: MemberView,
  guild: Pick<GuildSettings, 'voice' | 'model' | 'speed'>,
  defaults: Config['tts']['defaults'],
): { voice: string; model: string; speed: number } {
  return {
    voice: command.voice ?? member.guild.voice ?? member.global.voice ?? guild.voice ?? defaults.voice,
    model: command.model ?? guild.model ?? defaults.model,
    speed: command.speed ?? member.guild.speed ?? member.global.speed ?? guild.speed ?? defaults.speed,
  };
}

/** A member's effective personal setting: this guild's value, else their global one. */
export function memberValue<K extends keyof MemberSettings>(member: MemberView, key: K): MemberSettings[K] {
  return member.guild[key] ?? member.global[key];
}

/** The default voice for a spoken language (TTS_LANGUAGE_VOICES): the language's own entry, else its base language's ("zh" for zh-CN). */
export function languageVoice(voices: Readonly<Record<string, string>>, language: string): string | undefined {
  const wanted = language.toLowerCase();
  const base = wanted.split('-')[0];
  let fallback: string | undefined;
  for (const [key, voice] of Object.entries(voices)) {
    const k = key.toLowerCase();
    if (k === wanted) return voice;
    if (k === base || k.split('-')[0] === base) fallback ??= voice;
  }
  return fallback;
}
