package com.pyerp.realtime.core.history;

/**
 * One event kept in a channel's history, as the dispatcher delivered it: enough to format the event frame again for
 * any subscriber (the fields a subscriber may not see are removed when it is formatted, per its roles).
 *
 * @param offset        its number in the channel (1, 2, 3, ... in its epoch); 0 in a draft not yet appended
 * @param epoch         the channel's history epoch; null in a draft
 * @param detail        the event's full {@code detail} as JSON text, or null when it was too big to keep
 *                      ({@link ChannelHistory#MAX_DETAIL_CHARS}): such an event cannot be recovered
 */
public record Publication(
        long offset,
        String epoch,
        String eventId,
        String source,
        String detailType,
        String time,
        String correlationId,
        String detail) {

    /** A publication before {@link ChannelHistory#append} numbers it. */
    public static Publication draft(
            String eventId, String source, String detailType, String time, String correlationId, String detail) {
        return new Publication(
                0,
                null,
                eventId,
                source,
                detailType,
                time,
                correlationId,
                detail != null && detail.length() > ChannelHistory.MAX_DETAIL_CHARS ? null : detail);
    }

    /** Only the numbering of an appended publication, as a scattered page task carries it to its invocation. */
    public static Publication stamp(long offset, String epoch) {
        return new Publication(offset, epoch, null, null, null, null, null, null);
    }

    public Publication numbered(long offset, String epoch) {
        return new Publication(offset, epoch, eventId, source, detailType, time, correlationId, detail);
    }
}
