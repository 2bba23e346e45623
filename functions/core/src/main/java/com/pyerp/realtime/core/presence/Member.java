package com.pyerp.realtime.core.presence;

/**
 * A user on a channel with presence: its user id (the token's {@code sub}) and how many of its connections are
 * subscribed. Nothing else from its token (no roles, no scopes).
 */
public record Member(String userId, int connections) {}
