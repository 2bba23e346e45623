// Types of the pyERP Realtime browser client (src/index.js). Keep in line with the JSDoc in the sources.

/** idle → connecting → open ⇄ reconnecting → closed (see README, "States"). */
export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export declare const State: Readonly<{
  IDLE: 'idle';
  CONNECTING: 'connecting';
  OPEN: 'open';
  RECONNECTING: 'reconnecting';
  CLOSED: 'closed';
}>;

/** The subprotocol offered next to the token: 'erp.v1'. */
export declare const PROTOCOL: 'erp.v1';

/** The token, or a function called before every connection attempt (first connect, reconnects, recycling). */
export type TokenSource = string | (() => string | Promise<string>);

export interface TimerFunctions {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface RealtimeClientOptions {
  /** ws:// or wss:// URL of the stage, e.g. wss://abc.execute-api.eu-west-1.amazonaws.com/prod */
  url: string;
  /** JWT (string) or a function returning one; sent in Sec-WebSocket-Protocol next to 'erp.v1'. */
  token: TokenSource;
  /** Subprotocol offered with the token. Default 'erp.v1'. */
  protocol?: string;
  /** Backoff: ceiling of the first retry delay (ms). Default 500. */
  minDelay?: number;
  /** Backoff: largest ceiling (ms). Default 30000. */
  maxDelay?: number;
  /** Backoff: growth factor of the ceiling per attempt. Default 2. */
  factor?: number;
  /** Reconnect attempts in a row before giving up (state closed, reason max-attempts). Default Infinity. */
  maxReconnectAttempts?: number;
  /** Handshake failures in a row, while the server is reachable, that count as a refusal (closed, handshake-refused). Default 3. */
  maxHandshakeFailures?: number;
  /** Time for a socket to open (ms). Default 10000. */
  connectTimeout?: number;
  /** Time for a command's reply (ms). Default 10000. */
  commandTimeout?: number;
  /** Application-level ping period (ms); keeps API Gateway's 10-minute idle timeout away. Default 120000. */
  pingInterval?: number;
  /** A socket without pong this long after a ping is dead (ms). Default 15000. */
  pongTimeout?: number;
  /** Age at which the connection is replaced, ahead of API Gateway's 2-hour limit (ms). Default 6600000 (110 min). */
  maxConnectionAge?: number;
  /** How many recent (channel, eventId) pairs are remembered to drop duplicates; 0 disables. Default 1000. */
  dedupeWindow?: number;
  /** After a failed handshake, ask the server over plain HTTP whether it is reachable. Default true. */
  probe?: boolean;
  /** Timeout of that probe (ms). Default 5000. */
  probeTimeout?: number;
  /** With a token function: hand over a fresh token (`refresh`) this long before the current one expires (ms). Default 60000. */
  refreshBefore?: number;
  /** WebSocket constructor. Default globalThis.WebSocket. */
  WebSocket?: new (url: string, protocols: string[]) => any;
  /** fetch used by the probe. Default globalThis.fetch; null disables the probe. */
  fetch?: ((url: string, init?: any) => Promise<unknown>) | null;
  /** Timers and clock (tests inject fakes). Default setTimeout/clearTimeout/Date.now. */
  timers?: TimerFunctions;
  /** Random numbers in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
  /** Where 'online' is listened to. Default window in browsers, none elsewhere. */
  environment?: {
    addEventListener(type: string, fn: () => void): void;
    removeEventListener(type: string, fn: () => void): void;
  } | null;
  /** Where errors nobody listens to are logged. Default console; null for silence. */
  logger?: { warn?: (...args: unknown[]) => void; error?: (...args: unknown[]) => void } | null;
}

export declare const DEFAULT_OPTIONS: Readonly<
  Required<
    Pick<
      RealtimeClientOptions,
      | 'protocol'
      | 'minDelay'
      | 'maxDelay'
      | 'factor'
      | 'maxReconnectAttempts'
      | 'maxHandshakeFailures'
      | 'connectTimeout'
      | 'commandTimeout'
      | 'pingInterval'
      | 'pongTimeout'
      | 'maxConnectionAge'
      | 'dedupeWindow'
      | 'probe'
      | 'probeTimeout'
      | 'refreshBefore'
    >
  >
>;

/** A server `event` frame (docs/protocol.md). */
export interface RealtimeEvent<D = Record<string, unknown>> {
  type: 'event';
  channel: string;
  eventType: string;
  source: string;
  eventId: string;
  time: string;
  correlationId?: string;
  data: D;
  /** Only on channels with history: grows by one per event of the channel (docs/protocol.md, Recovery). */
  offset?: number;
  /** Only on channels with history: the history epoch the offset counts in. */
  epoch?: string;
}

/** A user on a channel with presence: its user id and how many of its connections are subscribed. */
export interface PresenceMember {
  userId: string;
  connections: number;
}

/** A position in a channel's history: the last event received (offset) and the epoch it counts in. */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

export interface SubscribeOptions {
  /** Recover from this position (e.g. one kept in sessionStorage across a page reload); else from the last event received. */
  recover?: StreamPosition | null;
}

/** After a subscribe that asked to recover: whether every missed event was delivered (else reload the state). */
export interface RecoveryInfo {
  channel: string;
  recovered: boolean;
  /** How many missed events were delivered (before any newer one). */
  missed: number;
  offset: number;
  epoch: string;
}

export type CloseReason =
  | 'client-close'
  | 'handshake-refused'
  | 'token-expired'
  | 'invalid-token'
  | 'max-attempts'
  | 'protocol-mismatch'
  | 'session-revoked';

export interface CloseInfo {
  reason: CloseReason;
  /** RealtimeError code: UNAUTHORIZED for refusals, TOKEN_ERROR, CLIENT_CLOSED, PROTOCOL_MISMATCH; null for close(). */
  code: string | null;
  error: RealtimeError | null;
  /** WebSocket close code of the last socket, when there was one. */
  closeCode: number | null;
  closeReason: string;
}

export interface StateChange {
  state: ClientState;
  previous: ClientState;
  reason?: string;
  attempt?: number;
  delay?: number;
  code?: number | string | null;
}

export type SubscriptionState = 'pending' | 'subscribing' | 'subscribed' | 'failed' | 'unsubscribed';

export interface SubscriptionInfo {
  channel: string;
  state: SubscriptionState;
  handlers: number;
  subscribedAt: number | null;
  eventCount: number;
  error: { code: string; message: string } | null;
  /** The last offset received without a gap, on a channel with history; null otherwise. */
  offset: number | null;
  epoch: string | null;
  /** The outcome of the last recovery: false = the state may be stale; null = no recovery yet. */
  recovered: boolean | null;
}

/** The legal moves of a subscription's state; failed and unsubscribed are terminal (README, "Subscription states"). */
export declare const SUBSCRIPTION_TRANSITIONS: Readonly<
  Record<SubscriptionState, ReadonlyArray<SubscriptionState>>
>;

/** A move of a subscription's state, announced once as `state` and as the new state's name. */
export interface SubscriptionStateChange {
  channel: string;
  state: SubscriptionState;
  previous: SubscriptionState;
  /** e.g. subscribe-sent, acked, connection-lost, client-closed, unsubscribed, or the error code. */
  reason: string;
  /** The server's error when the subscription failed. */
  error: RealtimeError | null;
}

export type SubscriptionEvents = { state: (change: SubscriptionStateChange) => void } & {
  [S in SubscriptionState]: (change: SubscriptionStateChange) => void;
};

/** One channel's subscription. It owns its state: read `state`, listen with `on`; the client moves it. */
export declare class Subscription {
  readonly channel: string;
  readonly state: SubscriptionState;
  /** Whether the state is failed or unsubscribed (for good). */
  readonly terminal: boolean;
  error: RealtimeError | null;
  subscribedAt: number | null;
  eventCount: number;
  offset: number | null;
  epoch: string | null;
  recovered: boolean | null;
  readonly ready: Promise<void>;
  /** The position to recover from, or null. */
  position(): StreamPosition | null;
  toJSON(): SubscriptionInfo;
  on<K extends keyof SubscriptionEvents>(event: K, listener: SubscriptionEvents[K]): () => void;
  once<K extends keyof SubscriptionEvents>(event: K, listener: SubscriptionEvents[K]): () => void;
  off<K extends keyof SubscriptionEvents>(event: K, listener: SubscriptionEvents[K]): void;
}

/** Removes the handler; resolves when the server acked the unsubscribe (when it was the last handler). */
export interface Unsubscribe {
  (): Promise<void>;
  readonly channel: string;
  /** Resolves on the server's ack of the subscription; rejects with its RealtimeError (e.g. CHANNEL_FORBIDDEN). */
  readonly ready: Promise<void>;
  readonly subscription: Subscription;
}

export interface ClientEvents {
  state: (change: StateChange) => void;
  connecting: (change: StateChange) => void;
  open: (change: StateChange) => void;
  /** On entering the state and on every new attempt: reason, attempt (1-based), delay before it (ms). */
  reconnecting: (change: StateChange) => void;
  closed: (change: StateChange & CloseInfo) => void;
  disconnected: (info: {
    code: number;
    reason: string;
    wasClean: boolean;
    opened: boolean;
    local: boolean;
  }) => void;
  event: (event: RealtimeEvent) => void;
  message: (frame: Record<string, unknown>) => void;
  error: (error: RealtimeError) => void;
  subscribed: (info: { channel: string; restored: boolean }) => void;
  unsubscribed: (info: { channel: string }) => void;
  subscriptionError: (info: { channel: string; error: RealtimeError; willRetry: boolean }) => void;
  subscriptions: (list: SubscriptionInfo[]) => void;
  pong: (info: { rtt: number; time: string | undefined }) => void;
  recycling: (info: { age: number }) => void;
  recycled: (info: { subscriptions: number }) => void;
  /** The server accepted a fresh token (`refresh`); the connection now lasts until expiresAt. */
  tokenRefreshed: (info: { expiresAt: string }) => void;
  duplicate: (event: RealtimeEvent) => void;
  /** A user's first connection subscribed to a channel with presence (docs/protocol.md, Presence). */
  join: (info: { channel: string; member: PresenceMember }) => void;
  /** A user's last connection left a channel with presence. */
  leave: (info: { channel: string; member: PresenceMember }) => void;
  /** Another client published on a room this client is subscribed to; `from` comes from the sender's token. */
  clientMessage: (info: { channel: string; from: { userId: string }; data: Record<string, unknown> }) => void;
  /** A subscribe that asked to recover was answered: recovered false means the channel's state may be stale. */
  recovery: (info: RecoveryInfo) => void;
  handlerError: (info: {
    error: unknown;
    event?: string;
    channel?: string;
    eventType?: string;
    listener?: Function;
    payload?: unknown;
  }) => void;
}

export declare class RealtimeClient {
  constructor(options: RealtimeClientOptions);
  readonly state: ClientState;
  readonly closeInfo: CloseInfo | null;
  readonly url: string;
  readonly options: Readonly<Omit<RealtimeClientOptions, 'token'>>;
  readonly subscriptions: SubscriptionInfo[];
  readonly pendingTimers: number;
  connect(): Promise<void>;
  close(): void;
  subscribe<D = Record<string, unknown>>(
    channel: string,
    handler: (event: RealtimeEvent<D>) => void,
    options?: SubscribeOptions,
  ): Unsubscribe;
  unsubscribe(channel: string): Promise<void>;
  onEventType<D = Record<string, unknown>>(
    eventType: string,
    handler: (event: RealtimeEvent<D>) => void,
  ): () => void;
  ping(): Promise<{ rtt: number; time: string | undefined }>;
  /** Who is on a channel with presence (one member per user). */
  presence(channel: string): Promise<PresenceMember[]>;
  /** Publishes to the other subscribers of a room; resolves on the ack. */
  publish(channel: string, data: Record<string, unknown>): Promise<void>;
  command(action: string, fields?: Record<string, unknown>): Promise<Record<string, unknown>>;
  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void;
  once<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void;
  off<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): void;
}

export interface ErrorCodeInfo {
  code: string;
  number: number;
  keepsConnection: boolean;
  /** frame: error frame; close: socket closed with this status; handshake: upgrade refused with this HTTP status. */
  delivery: 'frame' | 'close' | 'handshake';
  description: string;
}

/** The catalogue (events-schema .../protocol/error-codes.json), in its order. */
export declare const ERROR_CODES: ReadonlyArray<Readonly<ErrorCodeInfo>>;
export declare const ErrorCodes: Readonly<Record<string, Readonly<ErrorCodeInfo>>>;
export declare function errorCodeInfo(codeOrNumber: string | number): Readonly<ErrorCodeInfo> | undefined;

/** Client-only codes (never on the wire): CLIENT_CLOSED, CONNECTION_LOST, COMMAND_TIMEOUT, TOKEN_ERROR, BAD_SERVER_FRAME, PROTOCOL_MISMATCH. */
export declare const ClientErrorCodes: Readonly<
  Record<string, Readonly<{ code: string; description: string }>>
>;

export declare class RealtimeError extends Error {
  constructor(
    code: string,
    message?: string,
    details?: { id?: string; channel?: string; action?: string; frame?: object; cause?: unknown },
  );
  readonly name: string;
  /** Catalogue code (e.g. CHANNEL_FORBIDDEN) or client-only code (e.g. CONNECTION_LOST). */
  readonly code: string;
  /** Catalogue number (e.g. 4405); null for client-only codes. */
  readonly number: number | null;
  readonly keepsConnection: boolean;
  readonly source: 'server' | 'client';
  readonly id?: string;
  readonly channel?: string;
  readonly action?: string;
  readonly frame?: object;
}
export declare function errorFromFrame(
  frame: { code?: unknown; message?: unknown; id?: unknown },
  command?: { action?: string; channel?: string },
): RealtimeError;

/** The channel grammar, generated from events-schema protocol/channel-grammar.json (its one definition). */
export declare const CHANNEL_GRAMMAR: Readonly<{
  separator: string;
  segmentCharacters: string;
  minSegmentLength: number;
  maxSegmentLength: number;
  maxSegments: number;
  maxLength: number;
}>;
/** The grammar in words, as the server's INVALID_CHANNEL messages say it. */
export declare const CHANNEL_GRAMMAR_DESCRIPTION: string;
export declare function channelProblem(channel: unknown): string | null;
export declare function assertChannel(channel: unknown): void;

export interface BackoffOptions {
  minDelay: number;
  maxDelay: number;
  factor: number;
}
export declare const DEFAULT_BACKOFF: Readonly<BackoffOptions>;
/** min(maxDelay, minDelay * factor^attempt) */
export declare function backoffCeiling(attempt: number, options?: Partial<BackoffOptions>): number;
/** Full jitter: floor(random() * backoffCeiling(attempt)). */
export declare function backoff(
  attempt: number,
  options?: Partial<BackoffOptions>,
  random?: () => number,
): number;

export declare function decodeJwtPayload(token: string): Record<string, unknown> | null;
export declare function tokenExpiry(token: string): number | null;

/** 32 KB (limits.json): larger frames are refused with MESSAGE_TOO_BIG without being sent. */
export declare const MAX_FRAME_BYTES: number;
/** 128 KB (limits.json): the largest whole message in either direction (API Gateway's quota). */
export declare const MAX_MESSAGE_BYTES: number;
