import { REST, Routes, type RESTPostAPIApplicationCommandsJSONBody } from 'discord.js';

/** Where and how to register commands. */
export interface DeployOptions {
  token: string;
  applicationId: string;
  apiUrl: string;
  /** Registers to one guild (instant, for development) instead of globally. */
  guildId?: string | undefined;
}

/** Replaces the application's commands with exactly this list; returns how many Discord now holds. */
export async function deployCommands(options: DeployOptions, commands: readonly RESTPostAPIApplicationCommandsJSONBody[]): Promise<number> {
  const rest = new REST({ api: options.apiUrl }).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  const result = (await rest.put(route, { body: commands })) as unknown[];
  return result.length;
}
