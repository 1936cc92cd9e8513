// Registers the slash commands: to DISCORD_DEV_GUILD_ID when set (instant), else globally (up to an hour to show).
import { config as loadDotenv } from 'dotenv';
import { commandDefinitions } from '../commands/index.js';
import { ConfigError, loadDiscordConfig } from '../src/config.js';
import { deployCommands } from '../src/discord/deploy.js';
import { loadCatalogs } from '../src/i18n/catalog.js';
import { createTranslator } from '../src/i18n/translator.js';

loadDotenv({ quiet: true });
try {
  const discord = loadDiscordConfig(process.env);
  const count = await deployCommands({ ...discord, guildId: discord.devGuildId }, commandDefinitions(createTranslator(loadCatalogs())));
  const where = discord.devGuildId ? `guild ${discord.devGuildId}` : 'all servers (global; may take up to an hour to appear)';
  process.stdout.write(`Registered ${count} commands to ${where}.\n`);
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `Could not register commands: ${(err as Error).message}`}\n`);
  process.exit(1);
}
