package com.pyerp.realtime.core.registry;

/**
 * The registry's key of a channel: {@code tenant + "/" + channel}. Tenants and channels cannot contain
 * {@code /}, so the key splits back unambiguously.
 */
public final class ChannelKey {
    private ChannelKey() {}

    public static String of(String tenant, String channel) {
        return tenant + "/" + channel;
    }

    public static String channel(String channelKey) {
        return channelKey.substring(channelKey.indexOf('/') + 1);
    }

    public static String tenant(String channelKey) {
        return channelKey.substring(0, channelKey.indexOf('/'));
    }
}
