package com.pyerp.realtime.core.registry;

import java.util.Set;

/**
 * What the dispatcher needs to know of one subscriber of a channel: where to post, and what it may see.
 * Kept small on purpose: in DynamoDB this is all the channel index projects.
 *
 * @param connectionId where to post
 * @param userId       the subscriber's user (for logs and per-user limits)
 * @param roles        the subscriber's roles, to hide sensitive fields
 */
public record Subscriber(String connectionId, String userId, Set<String> roles) {
    public Subscriber {
        roles = Set.copyOf(roles);
    }
}
