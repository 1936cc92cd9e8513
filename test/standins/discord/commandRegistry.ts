import type { APIApplicationCommand, APIApplicationCommandOption, ApplicationCommandType } from 'discord-api-types/v10';
import { ErrorCollector, errors } from './discordErrors.js';
import { validateBulk, validateCommand } from './commandValidation.js';
import type { SnowflakeFactory } from './snowflakes.js';

type Json = Record<string, unknown>;

const MAX_PER_TYPE: Record<number, number> = { 1: 100, 2: 15, 3: 15 };

/** Registered application commands, global and per guild, as Discord stores them. */
export class CommandRegistry {
  readonly #global: APIApplicationCommand[] = [];
  readonly #guild = new Map<string, APIApplicationCommand[]>();

  constructor(
    private readonly ids: SnowflakeFactory,
    private readonly applicationId: string,
  ) {}

  /** The commands of a guild (guildId given) or the global ones. */
  list(guildId?: string): APIApplicationCommand[] {
    return guildId === undefined ? this.#global : (this.#guild.get(guildId) ?? []);
  }

  /** Looks a command up by name and type the way a user would see it in a guild: guild ones first, then global. */
  find(guildId: string, name: string, type: ApplicationCommandType): APIApplicationCommand | undefined {
    const match = (c: APIApplicationCommand) => c.name === name && c.type === type;
    return this.list(guildId).find(match) ?? this.#global.find(match);
  }

  /** PUT bulk overwrite: validates all, keeps ids of commands whose name and type survive, replaces the list. */
  bulkOverwrite(guildId: string | undefined, body: unknown): APIApplicationCommand[] {
    validateBulk(body).throwIfAny();
    const definitions = body as Json[];
    this.checkCounts(definitions);
    const previous = this.list(guildId);
    const next = definitions.map((definition) => {
      const type = (definition.type ?? 1) as number;
      const old = previous.find((c) => c.name === definition.name && c.type === type);
      return this.normalize(definition, guildId, old);
    });
    this.store(guildId, next);
    return next;
  }

  /** POST create: upserts one command by name and type; `created` tells 201 from 200. */
  create(guildId: string | undefined, body: unknown): { command: APIApplicationCommand; created: boolean } {
    const c = new ErrorCollector();
    validateCommand(c, [], body);
    c.throwIfAny();
    const definition = body as Json;
    const list = [...this.list(guildId)];
    const type = (definition.type ?? 1) as number;
    const index = list.findIndex((cmd) => cmd.name === definition.name && cmd.type === type);
    const command = this.normalize(definition, guildId, index >= 0 ? list[index] : undefined);
    if (index >= 0) list[index] = command;
    else list.push(command);
    this.checkCounts(list as unknown as Json[]);
    this.store(guildId, list);
    return { command, created: index < 0 };
  }

  /** PATCH: merges fields into a command and revalidates it. */
  edit(guildId: string | undefined, commandId: string, body: unknown): APIApplicationCommand {
    const list = [...this.list(guildId)];
    const index = list.findIndex((cmd) => cmd.id === commandId);
    const old = list[index];
    if (!old) throw errors.unknownApplicationCommand();
    const merged = { ...old, ...(body as Json) };
    const c = new ErrorCollector();
    validateCommand(c, [], merged);
    c.throwIfAny();
    const command = this.normalize(merged, guildId, old);
    list[index] = command;
    this.store(guildId, list);
    return command;
  }

  /** DELETE one command. */
  delete(guildId: string | undefined, commandId: string): void {
    const list = this.list(guildId);
    if (!list.some((cmd) => cmd.id === commandId)) throw errors.unknownApplicationCommand();
    this.store(guildId, list.filter((cmd) => cmd.id !== commandId));
  }

  private checkCounts(definitions: Json[]): void {
    for (const [type, max] of Object.entries(MAX_PER_TYPE)) {
      if (definitions.filter((d) => String(d.type ?? 1) === type).length > max) throw errors.tooManyCommands(max);
    }
  }

  private store(guildId: string | undefined, list: APIApplicationCommand[]): void {
    if (guildId === undefined) this.#global.splice(0, this.#global.length, ...list);
    else this.#guild.set(guildId, list);
  }

  private normalize(definition: Json, guildId: string | undefined, old: APIApplicationCommand | undefined): APIApplicationCommand {
    const type = (definition.type ?? 1) as ApplicationCommandType;
    const command: APIApplicationCommand = {
      id: old?.id ?? this.ids.next(),
      application_id: this.applicationId,
      version: this.ids.next(),
      type,
      name: definition.name as string,
      name_localizations: (definition.name_localizations as APIApplicationCommand['name_localizations']) ?? null,
      description: type === 1 ? (definition.description as string) : '',
      description_localizations: (definition.description_localizations as APIApplicationCommand['description_localizations']) ?? null,
      default_member_permissions: (definition.default_member_permissions as string | null | undefined) ?? null,
      nsfw: definition.nsfw === true,
      contexts: (definition.contexts as APIApplicationCommand['contexts']) ?? null,
      integration_types: (definition.integration_types as APIApplicationCommand['integration_types']) ?? [0],
      ...(guildId !== undefined ? { guild_id: guildId } : {}),
    };
    if (Array.isArray(definition.options) && definition.options.length > 0) {
      command.options = structuredClone(definition.options) as APIApplicationCommandOption[];
    }
    return command;
  }
}
