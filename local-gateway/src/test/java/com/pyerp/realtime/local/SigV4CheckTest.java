package com.pyerp.realtime.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The shape of a Signature Version 4 Authorization header, as {@code --require-sigv4} checks it. */
class SigV4CheckTest {
    static final String SIG = "a".repeat(64);
    static final String GOOD = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261130/us-east-1/events/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + SIG;

    @Test
    void wellFormedHeader_forTheService_passes() {
        assertThat(SigV4Check.check(GOOD, "20261130T221500Z", "events").ok()).isTrue();
    }

    @Test
    void missingHeader_isMissingAuthenticationToken() {
        SigV4Check.Verdict v = SigV4Check.check(null, null, "events");
        assertThat(v.missing()).isTrue();
        assertThat(v.problem()).isEqualTo("Missing Authentication Token");
    }

    @Test
    void malformedOrMisScopedHeaders_areIncompleteSignatures() {
        assertThat(SigV4Check.check("Bearer x", "20261130T221500Z", "events"))
                .satisfies(v -> assertThat(v.missing()).isFalse())
                .satisfies(v -> assertThat(v.ok()).isFalse());
        assertThat(SigV4Check.check(GOOD, "20261130T221500Z", "execute-api").problem())
                .contains("scoped to correct service: 'execute-api'");
        assertThat(SigV4Check.check(GOOD.replace("content-type;host;", "content-type;"), "20261130T221500Z", "events")
                        .problem())
                .contains("'Host' must be a signed header");
        assertThat(SigV4Check.check(GOOD, null, "events").problem()).contains("X-Amz-Date");
        assertThat(SigV4Check.check(GOOD, "20261201T000000Z", "events").problem())
                .contains("does not match");
        assertThat(SigV4Check.check(GOOD.replace(SIG, "xyz"), "20261130T221500Z", "events")
                        .ok())
                .as("a signature that is not 64 hex digits")
                .isFalse();
    }
}
