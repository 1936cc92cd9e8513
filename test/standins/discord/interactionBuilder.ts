import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ComponentType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  type APIApplicationCommandInteractionDataOption,
  type APIInteractionDataResolved,
  type APIMessage,
} from 'discord-api-types/v10';
import { apiChannel, apiMember, apiRole, apiUser } from './apiObjects.js';
import type { CommandRegistry } from './commandRegistry.js';
import type { ChannelRecord, GuildRecord, GuildState } from './guildState.js';

/** A member invoking a chat-input command. */
export interface CommandInvocation {
  guildId: string;
  /** Channel id or name. */
  channelId: string;
  /** User id or username. */
  userId: string;
  command: string;
  subcommandGroup?: string;
  subcommand?: string;
  /** Option values by name; user/channel/role options take an id or a username/channel name/role name. */
  options?: Record<string, string | number | boolean>;
  /** The interaction's `attachment_size_limit` (bytes); default 10 MiB. */
  attachmentSizeLimit?: number;
  /** The invoking user's client locale; default 'en-US'. */
  locale?: string;
  /** Overrides the stand-in's acknowledgement deadline for this interaction. */
  ackDeadlineMs?: number;
  /** Holds the bot's initial response (callback) this long before handling it, like a slow path to Discord. */
  callbackDelayMs?: number;
}

/** An autocomplete request: like a command invocation, with the option being typed in. */
export interface AutocompleteInvocation extends CommandInvocation {
  /** Name of the focused option; its value is what the user typed so far (default ''). */
  focused: string;
}

/** A member using a message context-menu command on a message. */
export interface MessageCommandInvocation {
  guildId: string;
  channelId: string;
  userId: string;
  /** The command's name, e.g. 'Read aloud'. */
  command: string;
  targetMessageId: string;
  attachmentSizeLimit?: number;
  locale?: string;
  ackDeadlineMs?: number;
}

/** A member using a user context-menu command on a member. */
export interface UserCommandInvocation {
  guildId: string;
  channelId: string;
  userId: string;
  command: string;
  /** Target user id or username. */
  targetUserId: string;
  attachmentSizeLimit?: number;
  locale?: string;
  ackDeadlineMs?: number;
}

/** Where an interaction happens, resolved. */
export interface InteractionPlace {
  guild: GuildRecord;
  channel: ChannelRecord;
  userId: string;
}

type Options = APIApplicationCommandInteractionDataOption[];

/** Builds interaction payloads strictly from registered command definitions; mistakes throw in the test. */
export class InteractionBuilder {
  constructor(
    private readonly state: GuildState,
    private readonly registry: CommandRegistry,
  ) {}

  /** Resolves guild, channel (id or name) and member (id or username). */
  place(guildId: string, channelIdOrName: string, userIdOrName: string): InteractionPlace {
    const guild = this.state.guild(guildId);
    const channel = this.state.resolveChannel(guild, channelIdOrName);
    const member = this.state.resolveMember(guild, userIdOrName);
    return { guild, channel, userId: member.userId };
  }

  /** The `data` of a chat-input (or, with `focused`, autocomplete) interaction. */
  chatInputData(place: InteractionPlace, invocation: CommandInvocation, focused?: string): { definition: APIApplicationCommand; data: Record<string, unknown> } {
    const definition = this.registry.find(place.guild.id, invocation.command, ApplicationCommandType.ChatInput);
    if (!definition) {
      const known = [...this.registry.list(place.guild.id), ...this.registry.list()].filter((c) => c.type === 1).map((c) => c.name);
      throw new Error(`/${invocation.command} is not registered (registered: ${known.join(', ') || 'none'})`);
    }
    this.checkUsable(place, definition);
    const resolved: APIInteractionDataResolved = {};
    const top = definition.options ?? [];
    const hasSubs = top.some((o) => o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup);
    let options: Options;
    if (hasSubs) {
      let container: APIApplicationCommandOption[] = top;
      let group: APIApplicationCommandOption | undefined;
      if (invocation.subcommandGroup !== undefined) {
        group = top.find((o) => o.type === ApplicationCommandOptionType.SubcommandGroup && o.name === invocation.subcommandGroup);
        if (!group) throw new Error(`/${definition.name} has no subcommand group '${invocation.subcommandGroup}'`);
        container = (group as { options?: APIApplicationCommandOption[] }).options ?? [];
      }
      if (invocation.subcommand === undefined) throw new Error(`/${definition.name} needs a subcommand`);
      const sub = container.find((o) => o.type === ApplicationCommandOptionType.Subcommand && o.name === invocation.subcommand);
      if (!sub) throw new Error(`/${definition.name} has no subcommand '${invocation.subcommand}'${group ? ` in group '${group.name}'` : ''}`);
      const leaf = this.leafOptions(place, definition.name, (sub as { options?: APIApplicationCommandOption[] }).options ?? [], invocation.options ?? {}, resolved, focused);
      const subOption = { type: ApplicationCommandOptionType.Subcommand, name: sub.name, options: leaf } as APIApplicationCommandInteractionDataOption;
      options = group
        ? [{ type: ApplicationCommandOptionType.SubcommandGroup, name: group.name, options: [subOption] } as APIApplicationCommandInteractionDataOption]
        : [subOption];
    } else {
      if (invocation.subcommand !== undefined || invocation.subcommandGroup !== undefined) {
        throw new Error(`/${definition.name} has no subcommands`);
      }
      options = this.leafOptions(place, definition.name, top, invocation.options ?? {}, resolved, focused);
    }
    const data: Record<string, unknown> = { id: definition.id, name: definition.name, type: ApplicationCommandType.ChatInput };
    if (options.length > 0) data.options = options;
    if (Object.keys(resolved).length > 0) data.resolved = resolved;
    if (definition.guild_id) data.guild_id = definition.guild_id;
    return { definition, data };
  }

  /** The `data` of a message context-menu interaction (the target message resolved with full content). */
  messageCommandData(place: InteractionPlace, command: string, target: APIMessage): { definition: APIApplicationCommand; data: Record<string, unknown> } {
    const definition = this.registry.find(place.guild.id, command, ApplicationCommandType.Message);
    if (!definition) throw new Error(`message command '${command}' is not registered`);
    this.checkUsable(place, definition);
    const data: Record<string, unknown> = {
      id: definition.id,
      name: definition.name,
      type: ApplicationCommandType.Message,
      target_id: target.id,
      resolved: { messages: { [target.id]: target } },
    };
    if (definition.guild_id) data.guild_id = definition.guild_id;
    return { definition, data };
  }

  /** The `data` of a user context-menu interaction. */
  userCommandData(place: InteractionPlace, command: string, targetUser: string): { definition: APIApplicationCommand; data: Record<string, unknown> } {
    const definition = this.registry.find(place.guild.id, command, ApplicationCommandType.User);
    if (!definition) throw new Error(`user command '${command}' is not registered`);
    this.checkUsable(place, definition);
    const resolved: APIInteractionDataResolved = {};
    const targetId = this.resolveUser(place, targetUser, resolved, `target of '${command}'`);
    const data: Record<string, unknown> = { id: definition.id, name: definition.name, type: ApplicationCommandType.User, target_id: targetId, resolved };
    if (definition.guild_id) data.guild_id = definition.guild_id;
    return { definition, data };
  }

  /** Finds a component by custom_id in a message's components (action rows and containers included). */
  findComponent(components: unknown[], customId: string): { type: number; disabled?: boolean; options?: Array<{ value: string }> } | undefined {
    for (const component of components as Array<Record<string, unknown>>) {
      if (component.custom_id === customId) return component as { type: number };
      for (const key of ['components', 'accessory', 'component']) {
        const nested = component[key];
        const list = Array.isArray(nested) ? nested : nested ? [nested] : [];
        const found = this.findComponent(list, customId);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The `data` of a component interaction (button click or select). */
  componentData(components: unknown[], customId: string, values?: string[]): Record<string, unknown> {
    const component = this.findComponent(components, customId);
    if (!component) throw new Error(`no component with custom_id '${customId}' on that message`);
    if (component.disabled) throw new Error(`component '${customId}' is disabled`);
    if (component.type === ComponentType.Button) {
      if (values !== undefined) throw new Error(`'${customId}' is a button; it takes no values`);
      return { custom_id: customId, component_type: ComponentType.Button };
    }
    if (values === undefined) throw new Error(`'${customId}' is a select menu; pass values`);
    if (component.type === ComponentType.StringSelect) {
      const allowed = (component.options ?? []).map((o) => o.value);
      const bad = values.filter((v) => !allowed.includes(v));
      if (bad.length > 0) throw new Error(`'${customId}' has no option(s) ${bad.join(', ')}`);
    }
    return { custom_id: customId, component_type: component.type, values };
  }

  /** A member can only invoke commands allowed in guilds and whose default_member_permissions they hold. */
  private checkUsable(place: InteractionPlace, definition: APIApplicationCommand): void {
    if (definition.contexts && !definition.contexts.includes(InteractionContextType.Guild)) {
      throw new Error(`'${definition.name}' is not available in guilds (contexts ${JSON.stringify(definition.contexts)})`);
    }
    const required = definition.default_member_permissions;
    if (required === null || required === undefined) return;
    const permissions = this.state.permissions(place.guild, place.userId, place.channel);
    const allowed = required === '0' ? (permissions & PermissionFlagsBits.Administrator) !== 0n : (permissions & BigInt(required)) === BigInt(required);
    if (!allowed) throw new Error(`the member cannot use '${definition.name}': default_member_permissions ${required} not held`);
  }

  private leafOptions(
    place: InteractionPlace,
    commandName: string,
    definitions: APIApplicationCommandOption[],
    given: Record<string, string | number | boolean>,
    resolved: APIInteractionDataResolved,
    focused?: string,
  ): Options {
    if (focused !== undefined) {
      const def = definitions.find((d) => d.name === focused);
      if (!def) throw new Error(`/${commandName} has no option '${focused}'`);
      if (!(def as { autocomplete?: boolean }).autocomplete) throw new Error(`option '${focused}' of /${commandName} does not use autocomplete`);
    }
    for (const name of Object.keys(given)) {
      if (!definitions.some((d) => d.name === name)) {
        throw new Error(`/${commandName} has no option '${name}' (options: ${definitions.map((d) => d.name).join(', ') || 'none'})`);
      }
    }
    const out: Options = [];
    for (const def of definitions) {
      if (def.name === focused) {
        out.push({ type: def.type, name: def.name, value: String(given[def.name] ?? ''), focused: true } as APIApplicationCommandInteractionDataOption);
        continue;
      }
      const value = given[def.name];
      if (value === undefined) {
        if (def.required && focused === undefined) throw new Error(`/${commandName} needs option '${def.name}'`);
        continue;
      }
      out.push({ type: def.type, name: def.name, value: this.convert(place, commandName, def, value, resolved) } as APIApplicationCommandInteractionDataOption);
    }
    return out;
  }

  private convert(
    place: InteractionPlace,
    commandName: string,
    def: APIApplicationCommandOption,
    value: string | number | boolean,
    resolved: APIInteractionDataResolved,
  ): string | number | boolean {
    const label = `option '${def.name}' of /${commandName}`;
    const d = def as {
      choices?: Array<{ value: string | number }>;
      min_value?: number;
      max_value?: number;
      min_length?: number;
      max_length?: number;
      channel_types?: number[];
    };
    const checkChoices = () => {
      if (d.choices && d.choices.length > 0 && !d.choices.some((c) => c.value === value)) {
        throw new Error(`${label} must be one of ${d.choices.map((c) => JSON.stringify(c.value)).join(', ')}`);
      }
    };
    switch (def.type) {
      case ApplicationCommandOptionType.String:
        if (typeof value !== 'string') throw new Error(`${label} takes a string`);
        if (d.min_length !== undefined && value.length < d.min_length) throw new Error(`${label} needs at least ${d.min_length} characters`);
        if (value.length > (d.max_length ?? 6000)) throw new Error(`${label} allows at most ${d.max_length ?? 6000} characters`);
        checkChoices();
        return value;
      case ApplicationCommandOptionType.Integer:
      case ApplicationCommandOptionType.Number:
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${label} takes a number`);
        if (def.type === ApplicationCommandOptionType.Integer && !Number.isInteger(value)) throw new Error(`${label} takes an integer`);
        if (d.min_value !== undefined && value < d.min_value) throw new Error(`${label} must be ≥ ${d.min_value}`);
        if (d.max_value !== undefined && value > d.max_value) throw new Error(`${label} must be ≤ ${d.max_value}`);
        checkChoices();
        return value;
      case ApplicationCommandOptionType.Boolean:
        if (typeof value !== 'boolean') throw new Error(`${label} takes a boolean`);
        return value;
      case ApplicationCommandOptionType.User:
        return this.resolveUser(place, String(value), resolved, label);
      case ApplicationCommandOptionType.Channel: {
        const channel = this.state.resolveChannel(place.guild, String(value));
        const type = channel.type === 'voice' ? 2 : 0;
        if (d.channel_types && !d.channel_types.includes(type)) throw new Error(`${label} does not accept channel type ${type}`);
        const full = apiChannel(channel);
        (resolved.channels ??= {})[channel.id] = {
          id: channel.id,
          name: channel.name,
          type: full.type,
          permissions: this.state.permissions(place.guild, place.userId, channel).toString(),
        } as NonNullable<APIInteractionDataResolved['channels']>[string];
        return channel.id;
      }
      case ApplicationCommandOptionType.Role: {
        const role = this.state.resolveRole(place.guild, String(value));
        (resolved.roles ??= {})[role.id] = apiRole(role);
        return role.id;
      }
      case ApplicationCommandOptionType.Mentionable: {
        const asRole = [...place.guild.roles.values()].find((r) => r.id === value || r.name === value);
        if (asRole) {
          (resolved.roles ??= {})[asRole.id] = apiRole(asRole);
          return asRole.id;
        }
        return this.resolveUser(place, String(value), resolved, label);
      }
      default:
        throw new Error(`${label}: option type ${def.type} is not supported by the stand-in`);
    }
  }

  private resolveUser(place: InteractionPlace, idOrName: string, resolved: APIInteractionDataResolved, label: string): string {
    const user = this.state.findUser(idOrName);
    if (!user) throw new Error(`${label}: unknown user '${idOrName}'`);
    (resolved.users ??= {})[user.id] = apiUser(user);
    const member = place.guild.members.get(user.id);
    if (member) {
      const { user: _user, ...rest } = apiMember(this.state, member);
      (resolved.members ??= {})[user.id] = {
        ...rest,
        permissions: this.state.permissions(place.guild, user.id, place.channel).toString(),
      } as NonNullable<APIInteractionDataResolved['members']>[string];
    }
    return user.id;
  }
}
