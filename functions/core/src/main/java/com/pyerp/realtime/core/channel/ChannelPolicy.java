package com.pyerp.realtime.core.channel;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.core.protocol.ErrorCode;
import com.pyerp.realtime.core.protocol.ProtocolException;
import com.pyerp.realtime.core.registry.ChannelKey;
import com.pyerp.realtime.events.ChannelNames;
import com.pyerp.realtime.events.EventCatalog;

/**
 * Who may subscribe to which channel. The rules are the catalog's channel families; the facts are the
 * authorizer context (no registry read). Channels are per tenant: the key always uses the token's tenant.
 */
public final class ChannelPolicy {
    private final java.util.function.Supplier<EventCatalog> catalog;

    public ChannelPolicy(EventCatalog catalog) {
        java.util.Objects.requireNonNull(catalog, "catalog");
        this.catalog = () -> catalog;
    }

    /** @param catalog the catalog, asked for at the first decision (it is loaded lazily on the connect path) */
    public ChannelPolicy(java.util.function.Supplier<EventCatalog> catalog) {
        this.catalog = catalog;
    }

    /**
     * @return the registry's channel key for this principal
     * @throws ProtocolException INVALID_CHANNEL, UNKNOWN_CHANNEL or CHANNEL_FORBIDDEN
     */
    public String authorize(Principal who, String channel, String id) throws ProtocolException {
        if (!ChannelNames.isValid(channel)) {
            throw new ProtocolException(ErrorCode.INVALID_CHANNEL, id, "channel must be " + ChannelNames.DESCRIPTION);
        }
        EventCatalog.ChannelMatch m = catalog.get()
                .matchChannel(channel)
                .orElseThrow(() ->
                        new ProtocolException(ErrorCode.UNKNOWN_CHANNEL, id, "no channel family matches " + channel));
        if (!m.family().permits(m.params(), who.userId(), who.roles(), who.scopes())) {
            throw new ProtocolException(ErrorCode.CHANNEL_FORBIDDEN, id, "your token does not grant " + channel);
        }
        return ChannelKey.of(who.tenant(), channel);
    }

    /** The registry key of a channel for unsubscribe: only the grammar is checked (leaving is always allowed). */
    public String keyFor(Principal who, String channel, String id) throws ProtocolException {
        if (!ChannelNames.isValid(channel))
            throw new ProtocolException(ErrorCode.INVALID_CHANNEL, id, "channel is not well formed");
        return ChannelKey.of(who.tenant(), channel);
    }
}
