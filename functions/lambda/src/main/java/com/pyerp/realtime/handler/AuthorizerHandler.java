package com.pyerp.realtime.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import com.pyerp.realtime.core.auth.ConnectAuthorizer;
import com.pyerp.realtime.core.auth.TokenVerifier;
import com.pyerp.realtime.core.log.AuditLog;
import com.pyerp.realtime.core.log.JsonLog;
import com.pyerp.realtime.core.protocol.ErrorCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * REQUEST authorizer of {@code $connect}. Allow: a policy for this route with the principal as context.
 * Bad or missing token: throws {@code Unauthorized}, which API Gateway answers with 401. Origin refused:
 * a Deny policy, which API Gateway answers with 403. Never logs the token.
 */
public final class AuthorizerHandler implements RequestHandler<APIGatewayCustomAuthorizerEvent, IamPolicyResponseV1> {
    private static final JsonLog LOG = JsonLog.get(AuthorizerHandler.class);
    private final ConnectAuthorizer authorizer;

    public AuthorizerHandler() {
        this(Handlers.defaultAuthorizer());
    }

    public AuthorizerHandler(ConnectAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public IamPolicyResponseV1 handleRequest(APIGatewayCustomAuthorizerEvent event, Context context) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (event.getRequestContext() != null) {
            fields.put("requestId", event.getRequestContext().getRequestId());
            var identity = event.getRequestContext().getIdentity();
            if (identity != null && identity.getSourceIp() != null) fields.put("sourceIp", identity.getSourceIp());
        }
        try (JsonLog.Scope log = JsonLog.invocation(fields)) {
            return handle(event);
        }
    }

    private IamPolicyResponseV1 handle(APIGatewayCustomAuthorizerEvent event) {
        ConnectAuthorizer.Decision d;
        try {
            d = authorizer.authorize(event.getHeaders(), event.getQueryStringParameters());
        } catch (TokenVerifier.KeysUnavailableException e) {
            LOG.error("connect failed: token keys unavailable", e);
            AuditLog.refused("connect", "the issuer's keys are unavailable", "code", "KEYS_UNAVAILABLE");
            throw e; // API Gateway answers 500: the client may retry, its token was not judged
        }
        if (!d.allowed() && d.code() == ErrorCode.UNAUTHORIZED) {
            LOG.info("connect refused", "code", d.code().name(), "reason", d.reason());
            AuditLog.refused("connect", d.reason(), "code", d.code().name());
            throw new UnauthorizedException();
        }
        String principalId =
                d.allowed() ? d.principal().tenant() + "/" + d.principal().userId() : "anonymous";
        var statement = d.allowed()
                ? IamPolicyResponseV1.allowStatement(event.getMethodArn())
                : IamPolicyResponseV1.denyStatement(event.getMethodArn());
        LOG.info(d.allowed() ? "connect allowed" : "connect denied", "principalId", principalId, "reason", d.reason());
        if (d.allowed())
            AuditLog.allowed(
                    "authorize",
                    d.reason(),
                    "userId",
                    d.principal().userId(),
                    "tenant",
                    d.principal().tenant());
        else AuditLog.refused("connect", d.reason(), "code", d.code().name());
        return IamPolicyResponseV1.builder()
                .withPrincipalId(principalId)
                .withPolicyDocument(IamPolicyResponseV1.PolicyDocument.builder()
                        .withVersion(IamPolicyResponseV1.VERSION_2012_10_17)
                        .withStatement(List.of(statement))
                        .build())
                .withContext(d.allowed() ? d.principal().toContext() : null)
                .build();
    }

    /** API Gateway maps an authorizer error whose message is exactly "Unauthorized" to HTTP 401. */
    public static final class UnauthorizedException extends RuntimeException {
        public UnauthorizedException() {
            super("Unauthorized", null, false, false);
        }
    }
}
