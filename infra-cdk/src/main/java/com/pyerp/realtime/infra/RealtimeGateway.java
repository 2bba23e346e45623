package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.config.RealtimeEnv;
import com.pyerp.realtime.core.protocol.ApiRoutes;
import com.pyerp.realtime.core.session.SessionGuard;
import com.pyerp.realtime.events.EventCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.aws_apigatewayv2_authorizers.WebSocketLambdaAuthorizer;
import software.amazon.awscdk.aws_apigatewayv2_authorizers.WebSocketLambdaAuthorizerProps;
import software.amazon.awscdk.aws_apigatewayv2_integrations.WebSocketLambdaIntegration;
import software.amazon.awscdk.services.apigateway.AccessLogFormat;
import software.amazon.awscdk.services.apigateway.CfnAccount;
import software.amazon.awscdk.services.apigatewayv2.CfnAuthorizer;
import software.amazon.awscdk.services.apigatewayv2.CfnStage;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogDestination;
import software.amazon.awscdk.services.apigatewayv2.IAccessLogSettings;
import software.amazon.awscdk.services.apigatewayv2.LogGroupLogDestination;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.services.apigatewayv2.WebSocketApi;
import software.amazon.awscdk.services.apigatewayv2.WebSocketRouteOptions;
import software.amazon.awscdk.services.apigatewayv2.WebSocketStage;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.FilterPattern;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.MetricFilter;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The whole pyERP real-time gateway as one reusable construct: the WebSocket API (routes and route selection from
 * {@link ApiRoutes}, REQUEST authorizer, stage), the five Lambda functions from the functions deployment jar, the
 * DynamoDB registry, EventBridge routing with the schema registry, and monitoring. Another CDK app instantiates it
 * with its own {@link RealtimeGatewayProps}.
 *
 * <pre>{@code
 * RealtimeGateway gw = new RealtimeGateway(stack, "Realtime", RealtimeGatewayProps.builder()
 *         .jwtIssuer("https://id.example.com/").jwtAudience("pyerp").jwksUrl("https://id.example.com/jwks.json")
 *         .allowedOrigins(List.of("https://erp.example.com"))
 *         .build());
 * new CfnOutput(stack, "Wss", CfnOutputProps.builder().value(gw.webSocketUrl()).build());
 * }</pre>
 */
public final class RealtimeGateway extends Construct {
    /**
     * The stage's access log line: one JSON object per request. Never the query string (it may carry {@code ?token=})
     * nor headers (Sec-WebSocket-Protocol carries the JWT).
     */
    public static final String ACCESS_LOG_FORMAT = "{\"requestId\":\"$context.requestId\","
            + "\"extendedRequestId\":\"$context.extendedRequestId\","
            + "\"requestTime\":\"$context.requestTime\","
            + "\"requestTimeEpoch\":\"$context.requestTimeEpoch\","
            + "\"stage\":\"$context.stage\","
            + "\"connectionId\":\"$context.connectionId\","
            + "\"eventType\":\"$context.eventType\","
            + "\"routeKey\":\"$context.routeKey\","
            + "\"messageId\":\"$context.messageId\","
            + "\"status\":\"$context.status\","
            + "\"sourceIp\":\"$context.identity.sourceIp\","
            + "\"userAgent\":\"$context.identity.userAgent\","
            + "\"principalId\":\"$context.authorizer.principalId\","
            + "\"authorizeStatus\":\"$context.authorize.status\","
            + "\"authorizerError\":\"$context.authorizer.error\","
            + "\"integrationStatus\":\"$context.integration.status\","
            + "\"integrationLatency\":\"$context.integrationLatency\","
            + "\"integrationError\":\"$context.integration.error\","
            + "\"errorMessage\":\"$context.error.message\","
            + "\"errorResponseType\":\"$context.error.responseType\"}";

    private final RealtimeGatewayProps props;
    private final RegistryTables tables;
    private final WebSocketApi api;
    private final WebSocketStage stage;
    private final LogGroup accessLogs;
    private final EventRouting events;
    private final FanOutScatter scatter;
    private final Map<GatewayFunction, HandlerFunction> functions;
    private final GatewayMonitoring monitoring;
    private final String managementEndpoint;

    public RealtimeGateway(Construct scope, String id, RealtimeGatewayProps props) {
        super(scope, id);
        this.props = props;
        Path jar = props.lambdaJar();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    "Lambda deployment jar not found: " + jar.toAbsolutePath().normalize()
                            + ". Build it first, from the repository root: mvn -pl functions/lambda -am package"
                            + " (or point RealtimeGatewayProps.lambdaJar / the app's -c lambdaJar=... at an existing jar)");
        }
        Stack stack = Stack.of(this);
        Code code = Code.fromAsset(jar.toString());
        EventCatalog catalog = EventCatalog.load();

        tables = new RegistryTables(
                this,
                "Registry",
                props.connectionsTableName().orElse(null),
                props.subscriptionsTableName().orElse(null),
                props.tableRemovalPolicy());

        api = WebSocketApi.Builder.create(this, "Api")
                .apiName(props.apiName().orElse(stack.getStackName() + "-realtime"))
                .description("pyERP real-time gateway (protocol erp.v1, docs/protocol.md)")
                .routeSelectionExpression(ApiRoutes.ROUTE_SELECTION_EXPRESSION)
                .build();
        // the @connections endpoint the dispatcher posts to: https://{api-id}.execute-api.{region}.{suffix}/{stage}
        managementEndpoint = "https://" + api.getApiId() + ".execute-api." + stack.getRegion() + "."
                + stack.getUrlSuffix() + "/" + props.stageName();

        events = new EventRouting(this, "Events", catalog, props.eventBusName(), props.schemaRegistryName());
        scatter = new FanOutScatter(this, "FanOut", GatewayFunction.DISPATCHER.timeout());

        Map<String, String> env = new LinkedHashMap<>(FunctionEnvironment.of(
                props,
                tables.connections().getTableName(),
                tables.subscriptions().getTableName(),
                tables.history().getTableName(),
                managementEndpoint));
        if (!props.javaToolOptions().isBlank()) env.put(FunctionEnvironment.JAVA_TOOL_OPTIONS, props.javaToolOptions());
        env.put(RealtimeEnv.Var.FANOUT_QUEUE_URL.name(), scatter.queue().getQueueUrl());

        Map<GatewayFunction, HandlerFunction> fns = new EnumMap<>(GatewayFunction.class);
        for (GatewayFunction f : GatewayFunction.values()) {
            fns.put(f, new HandlerFunction(this, f, code, props.memoryMb(f), env, props.logRetention()));
        }
        functions = Collections.unmodifiableMap(fns);
        grantLeastPrivilege();

        addRoutes();
        accessLogs = LogGroup.Builder.create(this, "AccessLogs")
                .retention(props.logRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        LogGroupLogDestination destination = new LogGroupLogDestination(accessLogs);
        AccessLogFormat format = AccessLogFormat.custom(ACCESS_LOG_FORMAT);
        stage = WebSocketStage.Builder.create(this, "Stage")
                .webSocketApi(api)
                .stageName(props.stageName())
                .autoDeploy(true)
                .throttle(ThrottleSettings.builder()
                        .rateLimit(props.throttleRateLimit())
                        .burstLimit(props.throttleBurstLimit())
                        .build())
                .accessLogSettings(new IAccessLogSettings() {
                    @Override
                    public IAccessLogDestination getDestination() {
                        return destination;
                    }

                    @Override
                    public AccessLogFormat getFormat() {
                        return format;
                    }
                })
                .build();
        if (props.apiGatewayCloudWatchRole()) stage.getNode().addDependency(apiGatewayAccount());

        // rules -> dispatch buffer (SQS) -> the dispatcher's alias (event source mapping; grants it the consume
        // actions)
        events.routeTo(
                fns.get(GatewayFunction.DISPATCHER).alias(),
                props.dispatchMaxEventAge(),
                props.eventBridgeRetryAttempts());
        addSessionTriggers();
        addRouteThrottling();
        addAuditMonitoring();
        // scatter: the dispatcher sends page tasks of large channels to the fan-out queue and consumes them
        scatter.connect(fns.get(GatewayFunction.DISPATCHER).alias());
        monitoring = new GatewayMonitoring(
                this,
                "Monitoring",
                stage,
                functions,
                events,
                scatter,
                props.alarmTopic().orElse(null));
        Suppressions.apply(this);
    }

    private void addRoutes() {
        HandlerFunction authorizer = functions.get(GatewayFunction.AUTHORIZER);
        // No identity source, on purpose: API Gateway answers 401 without calling the authorizer when any configured
        // identity source is missing, so naming the Sec-WebSocket-Protocol header would break the ?token= fallback
        // (and naming both would require both). The apigatewayv2 API makes it optional for REQUEST authorizers, and
        // WebSocket authorizer results are never cached, so nothing else needs it. The authorizer itself answers 401.
        WebSocketLambdaAuthorizer jwt = new WebSocketLambdaAuthorizer(
                "JwtAuthorizer",
                authorizer.alias(),
                WebSocketLambdaAuthorizerProps.builder()
                        .identitySource(List.of())
                        .build());
        api.addRoute(
                ApiRoutes.CONNECT,
                WebSocketRouteOptions.builder()
                        .integration(new WebSocketLambdaIntegration(
                                "ConnectIntegration",
                                functions.get(GatewayFunction.CONNECT).alias()))
                        .authorizer(jwt)
                        .build());
        api.addRoute(
                ApiRoutes.DISCONNECT,
                WebSocketRouteOptions.builder()
                        .integration(new WebSocketLambdaIntegration(
                                "DisconnectIntegration",
                                functions.get(GatewayFunction.DISCONNECT).alias()))
                        .build());
        // The command function's return body is the client's reply: two-way routes with a $default route response.
        // One integration per route, not one shared: CDK binds a shared integration once, so only the first route's
        // invoke permission (source arn .../*$default) would exist and API Gateway could not call the others.
        for (String route : ApiRoutes.COMMAND_ROUTES) {
            api.addRoute(
                    route,
                    WebSocketRouteOptions.builder()
                            .integration(new WebSocketLambdaIntegration(
                                    "CommandIntegration-" + route.replace("$", ""),
                                    functions.get(GatewayFunction.COMMAND).alias()))
                            .returnResponse(true)
                            .build());
        }
        for (IConstruct c : api.getNode().findAll()) {
            if (c instanceof CfnAuthorizer a) a.addPropertyDeletionOverride("IdentitySource");
        }
    }

    /**
     * Each function's role gets exactly the registry and API actions its handler performs (the README's IAM table).
     * Resources are exact table and index ARNs; the only wildcard is the connection id under this API's stage.
     */
    private void grantLeastPrivilege() {
        String connections = tables.connections().getTableArn();
        String subscriptions = tables.subscriptions().getTableArn();
        String history = tables.history().getTableArn();
        // AUTHORIZER: nothing beyond its log group (verifies the token against the JWKS over HTTPS)
        functions.get(GatewayFunction.CONNECT).allow(List.of("dynamodb:PutItem"), List.of(connections));

        // presence (join/leave, docs/protocol.md) reads the user's other connections and the channel's members and
        // posts to them; a post that finds a connection gone removes it like $disconnect
        String byUser = tables.byUserIndexArn();
        String byChannel = tables.byChannelIndexArn();
        String post = connectionsArn("POST");

        HandlerFunction disconnect = functions.get(GatewayFunction.DISCONNECT);
        disconnect.allow(List.of("dynamodb:GetItem", "dynamodb:DeleteItem"), List.of(connections));
        disconnect.allow(List.of("dynamodb:Query", "dynamodb:BatchWriteItem"), List.of(subscriptions));
        disconnect.allow(List.of("dynamodb:Query"), List.of(byUser));
        disconnect.allow(List.of("dynamodb:Query"), List.of(byChannel));
        disconnect.allow(List.of("execute-api:ManageConnections"), List.of(post));

        HandlerFunction command = functions.get(GatewayFunction.COMMAND);
        // UpdateItem: the per-connection publish budget lives on the connection item
        command.allow(List.of("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"), List.of(connections));
        command.allow(
                List.of("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchWriteItem"),
                List.of(subscriptions));
        command.allow(List.of("dynamodb:Query"), List.of(byUser));
        command.allow(List.of("dynamodb:Query"), List.of(byChannel));
        command.allow(List.of("execute-api:ManageConnections"), List.of(post));
        // subscribe on a channel with history: read (or start) its epoch and read the missed events
        command.allow(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"), List.of(history));

        HandlerFunction dispatcher = functions.get(GatewayFunction.DISPATCHER);
        dispatcher.allow(List.of("dynamodb:Query"), List.of(byChannel));
        // 410 Gone cleanup: the same removal as $disconnect (with its presence leave)
        dispatcher.allow(List.of("dynamodb:GetItem", "dynamodb:DeleteItem"), List.of(connections));
        dispatcher.allow(List.of("dynamodb:Query", "dynamodb:BatchWriteItem"), List.of(subscriptions));
        dispatcher.allow(List.of("dynamodb:Query"), List.of(byUser));
        dispatcher.allow(List.of("execute-api:ManageConnections"), List.of(post));
        // number and keep events of channels with history: read the epoch, claim an offset, raise the top
        dispatcher.allow(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"), List.of(history));

        // session security (issue 10): the per-user connection limit, refresh, closing a session from the server side
        functions.get(GatewayFunction.CONNECT).allow(List.of("dynamodb:Query"), List.of(tables.byUserIndexArn()));
        command.allow(List.of("execute-api:ManageConnections"), List.of(connectionsArn("DELETE")));
        HandlerFunction session = functions.get(GatewayFunction.SESSION);
        session.allow(List.of("dynamodb:Scan", "dynamodb:DeleteItem"), List.of(connections));
        session.allow(List.of("dynamodb:Query"), List.of(tables.byUserIndexArn()));
        session.allow(List.of("dynamodb:Query", "dynamodb:BatchWriteItem"), List.of(subscriptions));
        session.allow(List.of("execute-api:ManageConnections"), List.of(connectionsArn("POST")));
        session.allow(List.of("execute-api:ManageConnections"), List.of(connectionsArn("DELETE")));
    }

    /**
     * The session function's two triggers: a schedule every {@link SessionGuard#SWEEP_INTERVAL} (closes connections
     * whose token expired) and the ERP's {@code SessionsRevoked} event on the bus (closes that user's connections).
     */
    private void addSessionTriggers() {
        HandlerFunction session = functions.get(GatewayFunction.SESSION);
        sessionSweep = Rule.Builder.create(this, "SessionSweep")
                .description("every minute: close the connections whose token expired (SessionHandler)")
                .schedule(
                        Schedule.rate(software.amazon.awscdk.Duration.seconds(SessionGuard.SWEEP_INTERVAL.toSeconds())))
                .targets(List.of(new LambdaFunction(session.alias())))
                .build();
        sessionsRevoked = Rule.Builder.create(this, "SessionsRevoked")
                .ruleName(SessionGuard.REVOKED_RULE)
                .description("the ERP's SessionsRevoked event -> close that user's connections (SessionHandler)")
                .eventBus(events.bus())
                .eventPattern(EventPattern.builder()
                        .source(List.of(SessionGuard.REVOKED_SOURCE))
                        .detailType(List.of(SessionGuard.REVOKED_DETAIL_TYPE))
                        .build())
                .targets(List.of(new LambdaFunction(session.alias())))
                .build();
    }

    /**
     * Per-route throttling below the stage's: $connect gets its own limit, so a handshake flood is answered 429 by
     * API Gateway before it costs authorizer runs, and leaves the command routes their budget.
     */
    private void addRouteThrottling() {
        CfnStage cfn = (CfnStage) stage.getNode().getDefaultChild();
        // RouteSettings is a JSON map in CloudFormation: route key -> settings with CloudFormation's property names
        cfn.setRouteSettings(Map.of(
                ApiRoutes.CONNECT,
                Map.of(
                        "ThrottlingRateLimit", props.connectThrottleRateLimit(),
                        "ThrottlingBurstLimit", props.connectThrottleBurstLimit())));
    }

    /**
     * The audit log (AuditLog lines: one per security decision) in its own log group ({@link AuditTrail}), a metric
     * filter there counting refusals into {@value #AUDIT_REFUSALS_METRIC}, and an alarm on a spike of them.
     */
    private void addAuditMonitoring() {
        auditTrail = new AuditTrail(this, "Audit", functions.values(), props.auditLogRetention(), props.logRetention());
        MetricFilter.Builder.create(this, "AuditRefusals")
                .logGroup(auditTrail.logGroup())
                .metricNamespace(com.pyerp.realtime.core.log.JsonLog.METRICS_NAMESPACE)
                .metricName(AUDIT_REFUSALS_METRIC)
                .filterPattern(FilterPattern.literal(AUDIT_REFUSALS_PATTERN))
                .metricValue("1")
                .defaultValue(0)
                .build();
        auditAlarm = Metric.Builder.create()
                .namespace(com.pyerp.realtime.core.log.JsonLog.METRICS_NAMESPACE)
                .metricName(AUDIT_REFUSALS_METRIC)
                .statistic("Sum")
                .period(software.amazon.awscdk.Duration.minutes(5))
                .build()
                .createAlarm(
                        this,
                        "AuditRefusalsAlarm",
                        software.amazon.awscdk.services.cloudwatch.CreateAlarmOptions.builder()
                                .alarmDescription("Refused security decisions (AuditLog outcome=refused) spiked: "
                                        + "a token, handshake or message flood, or a misconfigured client")
                                .threshold(props.auditRefusalsThreshold())
                                .evaluationPeriods(1)
                                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                                .treatMissingData(TreatMissingData.NOT_BREACHING)
                                .build());
        props.alarmTopic().ifPresent(t -> auditAlarm.addAlarmAction(new SnsAction(t)));
    }

    /** The metric counting refused security decisions. */
    public static final String AUDIT_REFUSALS_METRIC = "AuditRefusals";
    /** CloudWatch Logs JSON filter pattern of a refused audit line. */
    public static final String AUDIT_REFUSALS_PATTERN =
            "{ $.logger = \"" + com.pyerp.realtime.core.log.AuditLog.LOGGER + "\" && $.outcome = \"refused\" }";

    private AuditTrail auditTrail;

    /** The audit log group, its forwarder and subscription filters. */
    public AuditTrail auditTrail() {
        return auditTrail;
    }

    private Rule sessionSweep;
    private Rule sessionsRevoked;
    private Alarm auditAlarm;

    public Rule sessionSweepRule() {
        return sessionSweep;
    }

    public Rule sessionsRevokedRule() {
        return sessionsRevoked;
    }

    public Alarm auditAlarm() {
        return auditAlarm;
    }

    /** {@code arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/@connections/*}: this API's stage only. */
    public String connectionsArn(String method) {
        return Stack.of(this)
                .formatArn(ArnComponents.builder()
                        .service("execute-api")
                        .resource(api.getApiId())
                        .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                        .resourceName(props.stageName() + "/" + method + "/@connections/*")
                        .build());
    }

    /** The region's API Gateway CloudWatch Logs role, which WebSocket access logging needs; kept when the stack goes. */
    private CfnAccount apiGatewayAccount() {
        Role role = Role.Builder.create(this, "ApiGatewayCloudWatchRole")
                .assumedBy(new ServicePrincipal("apigateway.amazonaws.com"))
                .description("Lets API Gateway write the access logs of this region's stages to CloudWatch Logs")
                .managedPolicies(List.of(
                        ManagedPolicy.fromAwsManagedPolicyName("service-role/AmazonAPIGatewayPushToCloudWatchLogs")))
                .build();
        role.applyRemovalPolicy(RemovalPolicy.RETAIN);
        CfnAccount account = CfnAccount.Builder.create(this, "ApiGatewayAccount")
                .cloudWatchRoleArn(role.getRoleArn())
                .build();
        account.applyRemovalPolicy(RemovalPolicy.RETAIN);
        account.getNode().addDependency(role);
        return account;
    }

    public RealtimeGatewayProps props() {
        return props;
    }

    public RegistryTables tables() {
        return tables;
    }

    public WebSocketApi api() {
        return api;
    }

    public WebSocketStage stage() {
        return stage;
    }

    public LogGroup accessLogs() {
        return accessLogs;
    }

    /** The fan-out queue of page tasks (scatter of large channels) and its dead-letter queue. */
    public FanOutScatter scatter() {
        return scatter;
    }

    public EventRouting events() {
        return events;
    }

    public Map<GatewayFunction, HandlerFunction> functions() {
        return functions;
    }

    public HandlerFunction function(GatewayFunction f) {
        return functions.get(f);
    }

    public GatewayMonitoring monitoring() {
        return monitoring;
    }

    /** {@code wss://{api-id}.execute-api.{region}.amazonaws.com/{stage}}: what browsers connect to. */
    public String webSocketUrl() {
        return stage.getUrl();
    }
    /** The @connections endpoint (AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI of the functions). */
    public String managementEndpoint() {
        return managementEndpoint;
    }
    /** {@code https://.../{stage}/@connections}: POST/GET/DELETE {@code /{connectionId}}. */
    public String connectionsUrl() {
        return managementEndpoint + "/@connections";
    }
}
