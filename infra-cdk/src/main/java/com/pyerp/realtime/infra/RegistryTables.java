package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.registry.RegistrySchema;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableProps;
import software.constructs.Construct;

/**
 * The connection registry's DynamoDB tables (connections, subscriptions, channel history), laid out by {@link RegistrySchema} (the names the registry code
 * queries): on-demand, TTL on {@code expiresAt}, point-in-time recovery.
 * <ul>
 *   <li>connections: PK {@code connectionId}; GSI {@code byUser} on {@code userKey} (tenant#user), projecting ALL:
 *       a connection item is a handful of small attributes, and whoever lists a user's connections needs them.</li>
 *   <li>subscriptions: PK {@code connectionId}, SK {@code channelKey}; GSI {@code byChannel} on
 *       {@code channelKey}/{@code connectionId}, INCLUDE projection of {@link RegistrySchema#BY_CHANNEL_PROJECTION}
 *       only, so the dispatcher's fan-out query reads the least data.</li>
 * </ul>
 * The layout equals the registry's own {@code CreateTableRequest}s (functions/lambda
 * {@code com.pyerp.realtime.aws.dynamo.RegistryTableSetup}), which RegistryTablesTemplateTest checks.
 */
public final class RegistryTables extends Construct {
    private final Table connections;
    private final Table subscriptions;
    private final Table history;

    public RegistryTables(
            Construct scope,
            String id,
            String connectionsTableName,
            String subscriptionsTableName,
            RemovalPolicy removalPolicy) {
        this(scope, id, connectionsTableName, subscriptionsTableName, null, removalPolicy);
    }

    /** @param historyTableName physical name of the channel history table, or null for a generated one */
    public RegistryTables(
            Construct scope,
            String id,
            String connectionsTableName,
            String subscriptionsTableName,
            String historyTableName,
            RemovalPolicy removalPolicy) {
        super(scope, id);
        connections = new Table(
                this,
                "Connections",
                common(connectionsTableName, removalPolicy)
                        .partitionKey(string(RegistrySchema.CONN_PK))
                        .build());
        connections.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(RegistrySchema.CONN_BY_USER_INDEX)
                .partitionKey(string(RegistrySchema.CONN_USER_KEY))
                .projectionType(ProjectionType.ALL)
                .build());

        subscriptions = new Table(
                this,
                "Subscriptions",
                common(subscriptionsTableName, removalPolicy)
                        .partitionKey(string(RegistrySchema.SUB_PK))
                        .sortKey(string(RegistrySchema.SUB_SK))
                        .build());
        subscriptions.addGlobalSecondaryIndex(GlobalSecondaryIndexProps.builder()
                .indexName(RegistrySchema.SUB_BY_CHANNEL_INDEX)
                .partitionKey(string(RegistrySchema.SUB_CHANNEL_PK))
                .sortKey(string(RegistrySchema.SUB_CHANNEL_SK))
                .projectionType(ProjectionType.INCLUDE)
                .nonKeyAttributes(RegistrySchema.BY_CHANNEL_PROJECTION)
                .build());

        // channel history: PK channelKey, SK offset (number; 0 = the channel's epoch and top), no index
        history = new Table(
                this,
                "History",
                common(historyTableName, removalPolicy)
                        .partitionKey(string(RegistrySchema.HISTORY_PK))
                        .sortKey(Attribute.builder()
                                .name(RegistrySchema.HISTORY_SK)
                                .type(AttributeType.NUMBER)
                                .build())
                        .build());
    }

    private static TableProps.Builder common(String tableName, RemovalPolicy removalPolicy) {
        TableProps.Builder b = TableProps.builder()
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .timeToLiveAttribute(RegistrySchema.EXPIRES_AT)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true)
                        .build())
                .removalPolicy(removalPolicy);
        if (tableName != null) b.tableName(tableName);
        return b;
    }

    private static Attribute string(String name) {
        return Attribute.builder().name(name).type(AttributeType.STRING).build();
    }

    public Table connections() {
        return connections;
    }

    public Table subscriptions() {
        return subscriptions;
    }

    /** The channel history table (offsets, epochs and kept events of the channels whose family keeps history). */
    public Table history() {
        return history;
    }

    /** The ARN of the connections table's byUser index (exact, no wildcard): presence reads a user's connections. */
    public String byUserIndexArn() {
        return connections.getTableArn() + "/index/" + RegistrySchema.CONN_BY_USER_INDEX;
    }

    /** The ARN of the subscriptions table's byChannel index (exact, no wildcard). */
    public String byChannelIndexArn() {
        return subscriptions.getTableArn() + "/index/" + RegistrySchema.SUB_BY_CHANNEL_INDEX;
    }
}
