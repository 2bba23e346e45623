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
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.VersionOptions;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * One gateway function: its own role (no managed policy; only what {@link #allow} adds), its own log group with
 * retention, the Java 21 arm64 function with SnapStart on published versions, and the {@value #ALIAS} alias on the
 * current version. Everything that invokes the function (routes, the authorizer, the dispatch buffer's event source
 * mapping) points at the alias, so every invocation runs a published, snapshotted version.
 */
public final class HandlerFunction extends Construct {
    /** The alias every route, the authorizer and the dispatch buffer's event source mapping invoke. */
    public static final String ALIAS = "live";

    private final GatewayFunction kind;
    private final Role role;
    private final LogGroup logGroup;
    private final Function function;
    private final Alias alias;

    public HandlerFunction(
            Construct scope,
            GatewayFunction kind,
            Code code,
            int memoryMb,
            Map<String, String> environment,
            RetentionDays logRetention) {
        super(scope, kind.id());
        this.kind = kind;
        logGroup = LogGroup.Builder.create(this, "Logs")
                .retention(logRetention)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("pyERP realtime " + kind.id() + " function: its log group"
                        + (kind == GatewayFunction.AUTHORIZER ? " only" : " and the registry actions it needs"))
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
                .currentVersionOptions(VersionOptions.builder()
                        .removalPolicy(RemovalPolicy.DESTROY)
                        .build())
                .build();

        alias = new Alias(
                this,
                "Alias",
                AliasProps.builder()
                        .aliasName(ALIAS)
                        .version(function.getCurrentVersion())
                        .description("the published SnapStart version the gateway invokes")
                        .build());
    }

    /** Adds one least-privilege statement to this function's role. */
    public void allow(List<String> actions, List<String> resources) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .effect(Effect.ALLOW)
                .actions(actions)
                .resources(resources)
                .build());
    }

    public GatewayFunction kind() {
        return kind;
    }

    public Role role() {
        return role;
    }

    public LogGroup logGroup() {
        return logGroup;
    }

    public Function function() {
        return function;
    }
    /** The {@value #ALIAS} alias: what routes, the authorizer and the event source mapping invoke. */
    public Alias alias() {
        return alias;
    }
}
