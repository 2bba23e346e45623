package com.pyerp.realtime.core.history;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The history of the channels whose family keeps one (catalog {@code history}): every delivered event, numbered by an
 * offset that grows by one per event of the channel, in an epoch that changes when the history is lost.
 *
 * <p>Guarantees every implementation keeps (checked by {@code ChannelHistoryContract} in the core's tests):
 * <ul>
 *   <li>Offsets are unique and gap-free within an epoch, also when several dispatchers append to one channel at
 *       once: each append claims the next free offset with a single-item conditional write (no transactions).</li>
 *   <li>A channel whose history expired entirely (no append for {@code ttl}) starts a new epoch at offset 0.</li>
 *   <li>Expired entries are filtered on read (DynamoDB's TTL deletion may lag); an entry of another epoch is never
 *       returned.</li>
 *   <li>Infrastructure failures surface as {@code RegistryUnavailableException}.</li>
 * </ul>
 * Time is passed in, so tests are deterministic. Channel keys are {@code tenant/channel} ({@code ChannelKey}).
 */
public interface ChannelHistory {
    /** A detail longer than this (characters of JSON) is not kept: the event is numbered but cannot be recovered. */
    int MAX_DETAIL_CHARS = 300 * 1024;

    /** The channel's current position; starts an epoch (offset 0) when the channel has none or it expired. */
    StreamPosition position(String channelKey, Instant now, Duration ttl);

    /**
     * Numbers the draft with the channel's next offset and keeps it until {@code now + ttl}.
     *
     * @return the publication with its offset and epoch
     */
    Publication append(String channelKey, Publication draft, Instant now, Duration ttl);

    /**
     * The kept publications of {@code epoch} with {@code afterOffset < offset <= upToOffset}, in offset order.
     * Expired or overwritten entries are absent, so the caller can tell a complete range from one with holes.
     */
    List<Publication> read(String channelKey, String epoch, long afterOffset, long upToOffset, Instant now);
}
