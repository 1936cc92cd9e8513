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
