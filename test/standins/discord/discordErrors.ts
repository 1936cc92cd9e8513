/** One entry of a 50035 error tree, as Discord sends it under `_errors`. */
export interface FieldError {
  code: string;
  message: string;
}

/** Discord's nested error tree: keys are field names / array indexes, leaves hold `_errors`. */
export interface ErrorTree {
  _errors?: FieldError[];
  [key: string]: ErrorTree | FieldError[] | undefined;
}

/** An HTTP error answered with Discord's JSON error body `{ code, message, errors? }`. */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: ErrorTree,
  ) {
    super(message);
  }

  /** The JSON body Discord sends for this error. */
  body(): { code: number; message: string; errors?: ErrorTree } {
    return this.errors ? { code: this.code, message: this.message, errors: this.errors } : { code: this.code, message: this.message };
  }
}

/** Collects field errors at dotted paths (e.g. `0.options.2.name`) into Discord's error tree. */
export class ErrorCollector {
  readonly tree: ErrorTree = {};
  #count = 0;

  /** Adds an error at `path` (segments are field names or array indexes). */
  add(path: Array<string | number>, code: string, message: string): void {
    let node: ErrorTree = this.tree;
    for (const segment of path) {
      const key = String(segment);
      const child = node[key];
      if (child === undefined || Array.isArray(child)) {
        const created: ErrorTree = {};
        node[key] = created;
        node = created;
      } else {
        node = child;
      }
    }
    (node._errors ??= []).push({ code, message });
    this.#count++;
  }

  /** Whether any error was added. */
  get hasErrors(): boolean {
    return this.#count > 0;
  }

  /** Throws 400 Invalid Form Body (50035) if any error was collected. */
  throwIfAny(): void {
    if (this.hasErrors) throw invalidFormBody(this.tree);
  }
}

/** 400 `{ code: 50035, message: 'Invalid Form Body', errors }`. */
export function invalidFormBody(errors: ErrorTree): DiscordHttpError {
  return new DiscordHttpError(400, 50035, 'Invalid Form Body', errors);
}

/** 400 50035 with a single error at `path`. */
export function fieldError(path: Array<string | number>, code: string, message: string): DiscordHttpError {
  const collector = new ErrorCollector();
  collector.add(path, code, message);
  return invalidFormBody(collector.tree);
}

/** Discord's standard errors, by the names Discord's docs give them. */
export const errors = {
  unauthorized: () => new DiscordHttpError(401, 0, '401: Unauthorized'),
  notFound: () => new DiscordHttpError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new DiscordHttpError(405, 0, '405: Method Not Allowed'),
  unknownChannel: () => new DiscordHttpError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => new DiscordHttpError(404, 10004, 'Unknown Guild'),
  unknownMember: () => new DiscordHttpError(404, 10007, 'Unknown Member'),
  unknownMessage: () => new DiscordHttpError(404, 10008, 'Unknown Message'),
  unknownUser: () => new DiscordHttpError(404, 10013, 'Unknown User'),
  unknownEmoji: () => new DiscordHttpError(400, 10014, 'Unknown Emoji'),
  unknownWebhook: () => new DiscordHttpError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => new DiscordHttpError(404, 10062, 'Unknown interaction'),
  unknownApplicationCommand: () => new DiscordHttpError(404, 10063, 'Unknown application command'),
  tooManyCommands: (max: number) =>
    new DiscordHttpError(400, 30032, `Maximum number of application commands reached (${max})`),
  requestEntityTooLarge: () => new DiscordHttpError(413, 40005, 'Request entity too large'),
  alreadyAcknowledged: () => new DiscordHttpError(400, 40060, 'Interaction has already been acknowledged.'),
  missingAccess: () => new DiscordHttpError(403, 50001, 'Missing Access'),
  cannotEditOthersMessage: () => new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => new DiscordHttpError(400, 50006, 'Cannot send an empty message'),
  missingPermissions: () => new DiscordHttpError(403, 50013, 'Missing Permissions'),
  invalidWebhookToken: () => new DiscordHttpError(401, 50027, 'Invalid Webhook Token'),
  voiceMessageAdditionalContent: () =>
    new DiscordHttpError(400, 50159, 'Voice messages do not support additional content.'),
  voiceMessageSingleAudioAttachment: () =>
    new DiscordHttpError(400, 50160, 'Voice messages must have a single audio attachment.'),
  voiceMessageMetadata: () => new DiscordHttpError(400, 50161, 'Voice messages must have supporting metadata.'),
  voiceMessageCannotBeEdited: () => new DiscordHttpError(400, 50162, 'Voice messages cannot be edited.'),
  voiceMessagesNotAllowed: () => new DiscordHttpError(403, 50173, 'You cannot send voice messages in this channel.'),
} as const;
