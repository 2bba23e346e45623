// pyERP Realtime browser client (ESM, no dependencies). Types: index.d.ts. Docs: ../README.md.
export { RealtimeClient, State, DEFAULT_OPTIONS, PROTOCOL } from './client.js';
export { Subscription, SUBSCRIPTION_TRANSITIONS } from './subscription.js';
export { channelProblem, assertChannel } from './channel.js';
export { CHANNEL_GRAMMAR, CHANNEL_GRAMMAR_DESCRIPTION } from './grammar.js';
export { ERROR_CODES, ErrorCodes, errorCodeInfo } from './codes.js';
export { RealtimeError, ClientErrorCodes, errorFromFrame } from './errors.js';
export { backoff, backoffCeiling, DEFAULT_BACKOFF } from './backoff.js';
export { decodeJwtPayload, tokenExpiry } from './token.js';
export { MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from './limits.js';
