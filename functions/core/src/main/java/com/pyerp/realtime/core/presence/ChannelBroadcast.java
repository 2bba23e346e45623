package com.pyerp.realtime.core.presence;

import com.pyerp.realtime.core.dispatch.ConnectionSender;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.registry.ConnectionRegistry;
import com.pyerp.realtime.core.registry.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Posts one frame to the subscribers of a channel from a command (presence join/leave, client messages): small
 * rooms, so the posts go one after the other. A connection found gone (410) is removed from the registry after the
 * channel was streamed, through the registry given (so a {@link PresenceRegistry} announces its leave).
 */
public final class ChannelBroadcast {
    private static final JsonLog LOG = JsonLog.get(ChannelBroadcast.class);

    private ChannelBroadcast() {}

    /** @return how many subscribers the frame was delivered to */
    public static int send(
            ConnectionRegistry registry,
            ConnectionSender sender,
            String channelKey,
            String frame,
            String exceptConnectionId,
            Instant now) {
        byte[] payload = frame.getBytes(StandardCharsets.UTF_8);
        List<String> gone = new ArrayList<>();
        int delivered = 0;
        try (Stream<Subscriber> subs = registry.subscribers(channelKey, now)) {
            for (Subscriber s : (Iterable<Subscriber>) subs::iterator) {
                if (s.connectionId().equals(exceptConnectionId)) continue;
                ConnectionSender.Outcome out;
                try {
                    // small rooms: one post at a time, waited for
                    out = sender.send(s.connectionId(), payload).join();
                } catch (RuntimeException e) { // includes the CompletionException of a failed future
                    out = new ConnectionSender.Outcome(ConnectionSender.Status.FAILED, e.toString());
                }
                switch (out.status()) {
                    case DELIVERED -> delivered++;
                    case GONE -> gone.add(s.connectionId());
                    default ->
                        LOG.warn(
                                "post failed",
                                "to",
                                s.connectionId(),
                                "status",
                                out.status().name(),
                                "detail",
                                out.detail());
                }
            }
        }
        for (String id : gone) {
            try {
                registry.remove(id);
                LOG.info("stale connection removed", "removedConnectionId", id);
            } catch (RuntimeException e) {
                LOG.error("could not remove a gone connection", e, "removedConnectionId", id);
            }
        }
        return delivered;
    }
}
