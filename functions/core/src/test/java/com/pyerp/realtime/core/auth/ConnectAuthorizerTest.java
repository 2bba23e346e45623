package com.pyerp.realtime.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.core.protocol.ErrorCode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectAuthorizerTest {
    private static final String ORIGIN = "https://erp.pyerp.example";
    private static final ConnectAuthorizer AUTHORIZER = new ConnectAuthorizer(
            TestTokens.verifier(Set.of("ES256", "RS256"), null), Set.of(ORIGIN, "http://localhost:5173"));

    private static Map<String, String> headers(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void authorize_shouldAllow_whenTheTokenComesInTheSubprotocolHeader() {
        var d = AUTHORIZER.authorize(
                headers("Origin", ORIGIN, "Sec-WebSocket-Protocol", "erp.v1, " + TestTokens.es256()), Map.of());

        assertThat(d.allowed()).isTrue();
        assertThat(d.code()).isNull();
        assertThat(d.principal().userId()).isEqualTo("alice");
        assertThat(d.principal().tenant()).isEqualTo("acme");
    }

    @Test
    void authorize_shouldReadTheHeaderInAnyCase_whenApiGatewayLowerCasesIt() {
        var d = AUTHORIZER.authorize(
                headers("origin", ORIGIN, "sec-websocket-protocol", "erp.v1," + TestTokens.rs256(b -> {})), null);

        assertThat(d.allowed()).isTrue();
    }

    @Test
    void authorize_shouldAllow_whenTheTokenComesInTheQueryParameter() {
        var d = AUTHORIZER.authorize(headers("Origin", ORIGIN), Map.of("token", TestTokens.es256()));

        assertThat(d.allowed()).isTrue();
        assertThat(d.principal().userId()).isEqualTo("alice");
    }

    // regression (issue 10): a second token, even forged, was silently ignored
    @Test
    void authorize_shouldRefuse_whenBothTheSubprotocolAndTheQueryCarryAToken() {
        var d = AUTHORIZER.authorize(
                headers("Sec-WebSocket-Protocol", "erp.v1, " + TestTokens.es256(b -> b.subject("bob"))),
                Map.of("token", "forged.token.value"));

        assertThat(d.allowed()).isFalse();
        assertThat(d.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(d.reason()).contains("more than one token");
    }

    @Test
    void authorize_shouldRefuse_whenTheQueryCarriesTokensUnderTwoNamesOrAnAuthorizationHeaderIsAdded() {
        assertThat(AUTHORIZER
                        .authorize(Map.of(), Map.of("token", TestTokens.es256(), "ACCESS_TOKEN", "x"))
                        .allowed())
                .isFalse();
        assertThat(AUTHORIZER
                        .authorize(
                                headers("Authorization", "Bearer " + TestTokens.es256()),
                                Map.of("token", TestTokens.es256()))
                        .allowed())
                .isFalse();
        assertThat(AUTHORIZER
                        .authorize(
                                Map.of(),
                                Map.of("token", TestTokens.es256()),
                                Map.of("token", java.util.List.of(TestTokens.es256(), TestTokens.es256())))
                        .reason())
                .contains("more than one token");
        // one token is still fine
        assertThat(AUTHORIZER
                        .authorize(Map.of(), Map.of("token", TestTokens.es256()))
                        .allowed())
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"erp.v1, a.b.c, extra", "erp.v2, TOKEN", "TOKEN, erp.v1", " , ", "chat"})
    void authorize_shouldRefuseWithUnauthorized_whenTheSubprotocolHeaderIsNotExactlyErpV1AndAToken(String header) {
        String value = header.replace("TOKEN", TestTokens.es256());
        // a valid query token does not rescue a malformed header: the header was offered, so it is what counts
        var d = AUTHORIZER.authorize(headers("Sec-WebSocket-Protocol", value), Map.of("token", TestTokens.es256()));

        assertThat(d.allowed()).isFalse();
        assertThat(d.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(d.principal()).isNull();
    }

    @Test
    void authorize_shouldTakeTheQueryToken_whenOnlyTheSubprotocolIsOffered() {
        var d = AUTHORIZER.authorize(
                headers("Sec-WebSocket-Protocol", "erp.v1"), Map.of("token", TestTokens.es256(b -> b.subject("dora"))));

        assertThat(d.allowed()).isTrue();
        assertThat(d.principal().userId()).isEqualTo("dora");
        assertThat(AUTHORIZER
                        .authorize(headers("Sec-WebSocket-Protocol", "erp.v1"), Map.of())
                        .code())
                .isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    @Test
    void authorize_shouldRefuseWithUnauthorized_whenThereIsNoToken() {
        var d = AUTHORIZER.authorize(headers("Origin", ORIGIN), Map.of());

        assertThat(d.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(d.reason()).contains("no token");
        assertThat(AUTHORIZER.authorize(null, null).code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(AUTHORIZER.authorize(Map.of(), Map.of("token", " ")).code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }

    @Test
    void authorize_shouldRefuseWithUnauthorized_whenTheTokenIsInvalid_andNeverPutTheTokenInTheReason() {
        String expired =
                TestTokens.es256(b -> b.expirationTime(new java.util.Date(System.currentTimeMillis() - 3_600_000)));

        var d = AUTHORIZER.authorize(headers("Sec-WebSocket-Protocol", "erp.v1, " + expired), Map.of());

        assertThat(d.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(d.reason()).contains("Expired").doesNotContain(expired);
    }

    @Test
    void authorize_shouldRefuseWithForbidden_whenTheOriginIsNotAllowed_evenWithAValidToken() {
        var d = AUTHORIZER.authorize(
                headers("Origin", "https://evil.example", "Sec-WebSocket-Protocol", "erp.v1, " + TestTokens.es256()),
                Map.of());

        assertThat(d.allowed()).isFalse();
        assertThat(d.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(d.reason()).contains("https://evil.example");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://erp.pyerp.example/",
                "https://ERP.pyerp.example",
                "https://erp.pyerp.example:443",
                "null",
                ""
            })
    void authorize_shouldMatchOriginsExactly(String origin) {
        var d = AUTHORIZER.authorize(
                headers("Origin", origin, "Sec-WebSocket-Protocol", "erp.v1, " + TestTokens.es256()), Map.of());

        assertThat(d.code()).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void authorize_shouldAllow_whenThereIsNoOrigin() {
        // not a browser (a server-side client): the token alone decides
        var d = AUTHORIZER.authorize(headers("Sec-WebSocket-Protocol", "erp.v1, " + TestTokens.es256()), Map.of());

        assertThat(d.allowed()).isTrue();
    }

    @Test
    void offersSubprotocol_shouldBeTrueOnlyWhenErpV1IsOffered() {
        assertThat(ConnectAuthorizer.offersSubprotocol(headers("Sec-WebSocket-Protocol", "erp.v1, abc")))
                .isTrue();
        assertThat(ConnectAuthorizer.offersSubprotocol(headers("sec-websocket-protocol", "erp.v1")))
                .isTrue();
        assertThat(ConnectAuthorizer.offersSubprotocol(headers("Sec-WebSocket-Protocol", "abc, erp.v1")))
                .isTrue();
        assertThat(ConnectAuthorizer.offersSubprotocol(headers("Sec-WebSocket-Protocol", "erp.v2, abc")))
                .isFalse();
        assertThat(ConnectAuthorizer.offersSubprotocol(headers("Origin", ORIGIN)))
                .isFalse();
        assertThat(ConnectAuthorizer.offersSubprotocol(null)).isFalse();
    }
}
