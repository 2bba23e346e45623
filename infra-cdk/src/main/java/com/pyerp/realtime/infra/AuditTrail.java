package com.pyerp.realtime.infra;

import com.pyerp.realtime.core.log.AuditLog;
import java.util.Collection;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.logs.FilterPattern;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.logs.SubscriptionFilter;
import software.amazon.awscdk.services.logs.destinations.LambdaDestination;
import software.constructs.Construct;

/**
 * The audit log in its own log group: every function's {@code AuditLog} lines (one JSON line per security decision)
 * are copied there by a subscription filter and a small forwarder, so they are kept for their own retention (a year
 * by default) apart from the function logs, and can be granted and queried on their own. A Lambda function writes to
 * one log group only, hence the copy.
 */
public final class AuditTrail extends Construct {
    /** The subscription filter: every audit line, allowed or refused. */
    public static final String AUDIT_LINES_PATTERN = "{ $.logger = \"" + AuditLog.LOGGER + "\" }";

    /**
     * The forwarder: decodes the CloudWatch Logs subscription payload and writes its events, unchanged, to the audit
     * log group (one stream per source stream).
     */
    static final String FORWARDER_CODE = String.join(
            "\n",
            "const zlib = require('zlib');",
            "const { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } ="
                    + " require('@aws-sdk/client-cloudwatch-logs');",
            "const cw = new CloudWatchLogsClient({});",
            "exports.handler = async (event) => {",
            "  const data = JSON.parse(zlib.gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'));",
            "  if (data.messageType !== 'DATA_MESSAGE' || !data.logEvents.length) return { copied: 0 };",
            "  const logGroupName = process.env.AUDIT_LOG_GROUP;",
            "  const logStreamName = (data.logGroup + '/' + data.logStream).replace(/[:*]/g, '_').slice(0, 512);",
            "  try { await cw.send(new CreateLogStreamCommand({ logGroupName, logStreamName })); }",
            "  catch (e) { if (e.name !== 'ResourceAlreadyExistsException') throw e; }",
            "  const logEvents = data.logEvents.map((e) => ({ timestamp: e.timestamp, message: e.message }))",
            "    .sort((a, b) => a.timestamp - b.timestamp);",
            "  await cw.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents }));",
            "  return { copied: logEvents.length };",
            "};");

    private final LogGroup logGroup;
    private final Function forwarder;

    public AuditTrail(
            Construct scope,
            String id,
            Collection<HandlerFunction> functions,
            RetentionDays retention,
            RetentionDays forwarderLogRetention) {
        super(scope, id);
        logGroup = LogGroup.Builder.create(this, "Logs")
                .retention(retention)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        LogGroup forwarderLogs = LogGroup.Builder.create(this, "ForwarderLogs")
                .retention(forwarderLogRetention)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Role role = Role.Builder.create(this, "ForwarderRole")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("pyERP realtime audit forwarder: its own log group and the audit log group")
                .build();
        for (LogGroup g : List.of(forwarderLogs, logGroup)) {
            role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .effect(Effect.ALLOW)
                    .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                    .resources(List.of(g.getLogGroupArn()))
                    .build());
        }
        forwarder = Function.Builder.create(this, "Forwarder")
                .description("copies the functions' AuditLog lines into the audit log group")
                .runtime(Runtime.NODEJS_24_X)
                .architecture(Architecture.ARM_64)
                .handler("index.handler")
                .code(Code.fromInline(FORWARDER_CODE))
                .memorySize(256)
                .timeout(Duration.seconds(30))
                .environment(java.util.Map.of("AUDIT_LOG_GROUP", logGroup.getLogGroupName()))
                .role(role)
                .logGroup(forwarderLogs)
                .build();
        LambdaDestination destination = new LambdaDestination(forwarder);
        for (HandlerFunction f : functions) {
            SubscriptionFilter.Builder.create(this, "From-" + f.kind().id())
                    .logGroup(f.logGroup())
                    .destination(destination)
                    .filterPattern(FilterPattern.literal(AUDIT_LINES_PATTERN))
                    .build();
        }
    }

    /** The audit log group (retention {@code auditLogRetention}). */
    public LogGroup logGroup() {
        return logGroup;
    }

    public Function forwarder() {
        return forwarder;
    }
}
