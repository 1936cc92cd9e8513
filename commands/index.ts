import type { RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { localizeCommand } from '../src/i18n/commandLocalizations.js';
import type { Translator } from '../src/i18n/translator.js';
import { announce } from './announce.js';
import { diagnose } from './diagnose.js';
import { dictionary } from './dictionary.js';
import { join } from './join.js';
import { leave } from './leave.js';
import { optin } from './optin.js';
import { optout } from './optout.js';
import { pause } from './pause.js';
import { privacy } from './privacy.js';
import { queue } from './queue.js';
import { read } from './read.js';
import { readAloud } from './readAloud.js';
import { readAloudVoiceMessage } from './readAloudVoiceMessage.js';
import { resume } from './resume.js';
import { settings } from './settings.js';
import { skip } from './skip.js';
import { speak } from './speak.js';
import { stop } from './stop.js';
import { transcribe } from './transcribe.js';
import { usage } from './usage.js';
import { voice } from './voice.js';

/** Every command of the bot; the bot and the deploy script share this list. */
export const commands: readonly BotCommand[] = [speak, join, leave, skip, stop, queue, pause, resume, settings, voice, privacy, read, dictionary, optout, optin, readAloud, readAloudVoiceMessage, transcribe, announce, usage, diagnose];

/** The definitions sent to Discord by the deploy script, with every name and description in each catalog's language. */
export function commandDefinitions(translator: Translator): RESTPostAPIApplicationCommandsJSONBody[] {
  return commands.map((c) => localizeCommand(translator, c.data));
}
