package com.pyerp.realtime.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

class AwsCredentialsTest {
    private static final Optional<URI> LOCAL = Optional.of(URI.create("http://127.0.0.1:8000"));

    @Test
    void givenMap_withKeys_isUsedAsIs_sessionTokenIncluded() {
        var c = AwsCredentials.of(
                        Map.of("AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "s", "AWS_SESSION_TOKEN", "t"),
                        Optional.empty())
                .resolveCredentials();
        assertThat(c).isInstanceOf(AwsSessionCredentials.class);
        assertThat(c.accessKeyId()).isEqualTo("AKID");
        assertThat(((AwsSessionCredentials) c).sessionToken()).isEqualTo("t");
    }

    @Test
    void localEndpoint_withoutKeysOrProfile_getsDummyKeys() {
        assertThat(AwsCredentials.of(Map.of(), LOCAL).resolveCredentials().accessKeyId())
                .isEqualTo(AwsCredentials.LOCAL_ACCESS_KEY);
    }

    @Test
    void aProfile_orNoEndpoint_leavesItToTheDefaultChain() {
        assertThat(AwsCredentials.of(Map.of("AWS_PROFILE", "dev"), LOCAL))
                .isInstanceOf(DefaultCredentialsProvider.class);
        assertThat(AwsCredentials.of(Map.of(), Optional.empty())).isInstanceOf(DefaultCredentialsProvider.class);
        // a key without its secret is no credential: not the dummy either (a half-configured environment must fail
        // loudly)
        assertThat(AwsCredentials.of(Map.of("AWS_ACCESS_KEY_ID", "AKID"), LOCAL))
                .isInstanceOf(DefaultCredentialsProvider.class);
    }
}
