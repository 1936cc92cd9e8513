/** The JSON-line messages between `voiceClient.ts` (parent) and `voiceClientChild.ts` (child running @discordjs/voice). */

/** Parent → child. One child can hold connections to several guilds (one connection and one player each). */
export type ChildCommand =
  | {
      cmd: 'join';
      /** VOICE_SERVER_UPDATE endpoint, e.g. the stand-in's `endpoint`. */
      endpoint: string;
      guildId: string;
      channelId: string;
      userId: string;
      sessionId: string;
      token: string;
      /** Passed to joinVoiceChannel; default true (the library then offers DAVE v1 in Identify). */
      daveEncryption?: boolean;
    }
  /** Plays an Ogg Opus file through that guild's audio player. */
  | { cmd: 'play'; guildId: string; file: string }
  /** Destroys that guild's connection (the library then sends op 4 with channel_id null). */
  | { cmd: 'destroy'; guildId: string }
  /** Asks for the connection's DAVE voice privacy code (answered with a `privacyCode` event). */
  | { cmd: 'privacyCode'; guildId: string }
  | { cmd: 'exit' };

/** Child → parent. */
export type ChildEvent =
  | { event: 'started'; pid: number }
  | { event: 'ack'; cmd: ChildCommand['cmd'] }
  /** A VoiceConnection status change (closeCode set for Disconnected by WebSocket close). */
  | {
      event: 'connection';
      guildId: string;
      status: string;
      closeCode: number | undefined;
      reason: number | undefined;
      rejoinAttempts: number;
    }
  /** An AudioPlayer status change. */
  | { event: 'player'; guildId: string; status: string }
  /** A payload the library sent to the (fake) main gateway through the adapter, e.g. op 4 on (re)join. */
  | { event: 'gatewayPayload'; guildId: string; payload: unknown }
  | { event: 'error'; source: string; message: string }
  /** The connection's `voicePrivacyCode` (null when it has none). */
  | { event: 'privacyCode'; guildId: string; code: string | null }
  /** The connection's 'transitioned' event (a DAVE transition executed). */
  | { event: 'transitioned'; guildId: string; transitionId: number };
