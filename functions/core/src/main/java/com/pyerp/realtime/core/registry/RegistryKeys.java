package com.pyerp.realtime.core.registry;

import com.pyerp.realtime.core.auth.Principal;
import com.pyerp.realtime.events.ChannelNames;
import com.pyerp.realtime.events.Tenants;

/**
 * The checks every registry operation makes on its arguments before it touches its store, so a bad value is
 * refused with a clear {@link IllegalArgumentException} instead of a DynamoDB ValidationException after a
 * partial write. The in-memory registry applies the same rules (checked by the shared contract tests).
 *
 * <ul>
 *   <li>connection id: 1–128 visible ASCII characters (API Gateway ids are 16 base64 characters);</li>
 *   <li>tenant: the tenant rule ({@link Tenants}: 1–64 of {@code [A-Za-z0-9_-]}), which has no {@code /} (it ends
 *       the tenant in a channel key) and no {@code #} (it ends the tenant in the byUser index key);</li>
 *   <li>user id: 1–256 characters, no control characters;</li>
 *   <li>channel key: {@code tenant/channel} where channel follows the protocol grammar ({@link ChannelNames}).</li>
 * </ul>
 */
public final class RegistryKeys {
    public static final int MAX_CONNECTION_ID = 128;
    public static final int MAX_USER_ID = 256;

    private RegistryKeys() {}

    public static String connectionId(String id) {
        if (id == null || id.isEmpty()) throw new IllegalArgumentException("connection id is missing");
        if (id.length() > MAX_CONNECTION_ID) {
            throw new IllegalArgumentException("connection id is longer than " + MAX_CONNECTION_ID + " characters");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException(
                        "connection id '" + printable(id) + "' has a character other than visible ASCII at index " + i);
            }
        }
        return id;
    }

    public static String tenant(String tenant) {
        if (tenant == null || tenant.isEmpty()) throw new IllegalArgumentException("tenant is missing");
        if (!Tenants.isValid(tenant))
            throw new IllegalArgumentException("tenant '" + printable(tenant) + "' is not " + Tenants.RULE);
        return tenant;
    }

    public static String userId(String userId) {
        if (userId == null || userId.isEmpty()) throw new IllegalArgumentException("user id is missing");
        if (userId.length() > MAX_USER_ID)
            throw new IllegalArgumentException("user id is longer than " + MAX_USER_ID + " characters");
        for (int i = 0; i < userId.length(); i++) {
            if (Character.isISOControl(userId.charAt(i))) {
                throw new IllegalArgumentException("user id '" + printable(userId) + "' contains a control character");
            }
        }
        return userId;
    }

    /** A channel key {@code tenant/channel}; see {@link com.pyerp.realtime.core.registry.ChannelKey}. */
    public static String channelKey(String key) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("channel key is missing");
        int slash = key.indexOf('/');
        if (slash < 0)
            throw new IllegalArgumentException(
                    "channel key '" + printable(key) + "' is not of the form tenant/channel");
        try {
            tenant(key.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("channel key '" + printable(key) + "': " + e.getMessage());
        }
        String channel = key.substring(slash + 1);
        if (!ChannelNames.isValid(channel)) {
            throw new IllegalArgumentException("channel key '" + printable(key) + "': channel '" + printable(channel)
                    + "' is not well formed (" + ChannelNames.DESCRIPTION + ")");
        }
        return key;
    }

    public static Principal principal(Principal p) {
        if (p == null) throw new IllegalArgumentException("principal is missing");
        userId(p.userId());
        tenant(p.tenant());
        return p;
    }

    /** The value cut to 80 characters with control characters escaped, for error messages. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        if (b.length() >= 80 && s.length() > 80) b.append("...");
        return b.toString();
    }
}
