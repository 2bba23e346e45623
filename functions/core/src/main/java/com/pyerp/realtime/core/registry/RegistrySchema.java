package com.pyerp.realtime.core.registry;

/**
 * The DynamoDB layout of the registry: key and index names shared by the DynamoDB registry (functions/lambda)
 * and the CDK stack (infra-cdk), so the deployed tables are the ones the code queries.
 * The access patterns are documented in functions/README-registry.md#registry-tables.
 */
public final class RegistrySchema {
    private RegistrySchema() {}

    // connections table: one item per connection
    public static final String CONN_PK = "connectionId";
    /** GSI of the connections table: tenant#user -> connections of a user. */
    public static final String CONN_BY_USER_INDEX = "byUser";

    public static final String CONN_USER_KEY = "userKey";

    // subscriptions table: one item per (connection, channel)
    public static final String SUB_PK = "connectionId";
    public static final String SUB_SK = "channelKey";
    /** GSI of the subscriptions table: channel -> subscribers, projecting only what the dispatcher needs. */
    public static final String SUB_BY_CHANNEL_INDEX = "byChannel";

    public static final String SUB_CHANNEL_PK = "channelKey";
    public static final String SUB_CHANNEL_SK = "connectionId";

    // attributes
    public static final String USER_ID = "userId";
    public static final String TENANT = "tenant";
    public static final String ROLES = "roles";
    public static final String SCOPES = "scopes";
    public static final String CONNECTED_AT = "connectedAt";
    /** Epoch seconds; the TTL attribute of both tables. */
    public static final String EXPIRES_AT = "expiresAt";
    /** Connection item: when the connection's token expires (epoch s), updated by refresh; read by the session sweep. */
    public static final String TOKEN_EXPIRES_AT = "tokenExp";

    // history table: one item per kept event (offset >= 1) and one per channel at offset 0 (epoch, top, expiry)
    public static final String HISTORY_PK = "channelKey";
    /** Number: 0 for the channel's meta item, else the event's offset. */
    public static final String HISTORY_SK = "offset";

    public static final String HISTORY_EPOCH = "epoch";
    /** Meta item: the highest offset known to be taken (a hint; appends probe past it). */
    public static final String HISTORY_TOP = "top";

    public static final String HISTORY_EVENT_ID = "eventId";
    public static final String HISTORY_SOURCE = "source";
    public static final String HISTORY_DETAIL_TYPE = "detailType";
    public static final String HISTORY_TIME = "time";
    public static final String HISTORY_CORRELATION_ID = "correlationId";
    public static final String HISTORY_DETAIL = "detail";

    /** Attributes the byChannel index projects besides its keys (INCLUDE projection). */
    public static final java.util.List<String> BY_CHANNEL_PROJECTION = java.util.List.of(USER_ID, ROLES, EXPIRES_AT);
}
