package com.pyerp.realtime.infra;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.AliasProps;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IDestination;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.VersionOptions;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * One gateway function: its own role (no managed policy; only what {@link #allow} adds), its own log group with
 * retention, the Java 21 arm64 function with SnapStart on published versions, and the {@value #ALIAS} alias on the
 * current version. Everything that invokes the function (routes, the authorizer, rules) points at the alias, so every
 * invocation runs a published, snapshotted version.
 */
public final class HandlerFunction extends Construct {
    /** The alias every route, authorizer and rule invokes. */
    public static final String ALIAS = "live";

    private final GatewayFunction kind;
    private final Role role;
    private final LogGroup logGroup;
    private final Function function;
    private final Alias alias;

    /** Lambda's async retry settings for the alias (used by the dispatcher, which EventBridge invokes asynchronously). */
    public record AsyncConfig(software.amazon.awscdk.Duration maxEventAge, int retryAttempts, IDestination onFailure) {}

    public HandlerFunction(Construct scope, GatewayFunction kind, Code code, int memoryMb, Map<String, String> environment,
                           RetentionDays logRetention, AsyncConfig async) {
        super(scope, kind.id());
        this.kind = kind;
        logGroup = LogGroup.Builder.create(this, "Logs")
                .retention(logRetention)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("pyERP realtime " + kind.id() + " function: its log group" + (kind == GatewayFunction.AUTHORIZER ? " only" : " and the registry actions it needs"))
                .build();
        // the function writes only to its own log group (no AWSLambdaBasicExecutionRole, which allows every log group)
        allow(List.of("logs:CreateLogStream", "logs:PutLogEvents"), List.of(logGroup.getLogGroupArn()));

        function = Function.Builder.create(this, "Function")
                .description(kind.description())
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler(kind.handler())
                .code(code)
                .memorySize(memoryMb)
                .timeout(kind.timeout())
                .environment(environment)
                .role(role)
                .logGroup(logGroup)
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                // versions are replaced on every code or configuration change; the alias moves before the old one goes
                .currentVersionOptions(VersionOptions.builder().removalPolicy(RemovalPolicy.DESTROY).build())
                .build();

        AliasProps.Builder ab = AliasProps.builder()
                .aliasName(ALIAS)
                .version(function.getCurrentVersion())
                .description("the published SnapStart version the gateway invokes");
        if (async != null) {
            ab.maxEventAge(async.maxEventAge()).retryAttempts(async.retryAttempts()).onFailure(async.onFailure());
        }
        alias = new Alias(this, "Alias", ab.build());
    }

    /** Adds one least-privilege statement to this function's role. */
    public void allow(List<String> actions, List<String> resources) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .effect(Effect.ALLOW)
                .actions(actions)
                .resources(resources)
                .build());
    }

    public GatewayFunction kind() { return kind; }
    public Role role() { return role; }
    public LogGroup logGroup() { return logGroup; }
    public Function function() { return function; }
    /** The {@value #ALIAS} alias: what routes, the authorizer and rules invoke. */
    public Alias alias() { return alias; }
}
