// The channel grammar of the client protocol, checked before a channel name is sent. The grammar itself is
// generated (src/grammar.js) from its one definition, events-schema's protocol/channel-grammar.json, which the
// server reads too (ChannelNames.java); this file only turns it into answers and error messages.
import { RealtimeError } from './errors.js';
import { CHANNEL_GRAMMAR, CHANNEL_SEGMENT, CHANNEL_SEGMENT_DESCRIPTION } from './grammar.js';

/**
 * Why `channel` is not a well-formed channel name, or null when it is.
 * @param {unknown} channel
 * @returns {string | null}
 */
export function channelProblem(channel) {
  if (typeof channel !== 'string')
    return `channel must be a string, got ${channel === null ? 'null' : typeof channel}`;
  const { maxLength, maxSegments, separator } = CHANNEL_GRAMMAR;
  if (channel.length === 0 || channel.length > maxLength)
    return `channel must have 1 to ${maxLength} characters, got ${channel.length}`;
  const segments = channel.split(separator);
  if (segments.length > maxSegments)
    return `channel must have at most ${maxSegments} dot-separated segments, got ${segments.length}`;
  const bad = segments.find((s) => !CHANNEL_SEGMENT.test(s));
  if (bad !== undefined) return `channel segment '${bad}' must be ${CHANNEL_SEGMENT_DESCRIPTION}`;
  return null;
}

/**
 * Throws RealtimeError INVALID_CHANNEL (the code the server would answer) when the channel is malformed.
 * @param {unknown} channel
 */
export function assertChannel(channel) {
  const problem = channelProblem(channel);
  if (problem)
    throw new RealtimeError('INVALID_CHANNEL', problem, {
      channel: typeof channel === 'string' ? channel : undefined,
      action: 'subscribe',
    });
}
