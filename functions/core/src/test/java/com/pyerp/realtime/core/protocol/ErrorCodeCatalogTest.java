package com.pyerp.realtime.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.pyerp.realtime.events.EventCatalog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@link ErrorCode} mirrors protocol/error-codes.json, the one catalogue: same codes, numbers and keepsConnection. */
class ErrorCodeCatalogTest {
    private static final JsonNode CODES = EventCatalog.readTree(EventCatalog.BASE + "protocol/error-codes.json")
            .get("codes");

    private record Entry(String code, int number, boolean keepsConnection) {}

    private static Map<String, Entry> catalogue() {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (JsonNode c : CODES) {
            out.put(
                    c.get("code").asString(),
                    new Entry(
                            c.get("code").asString(),
                            c.get("number").asInt(),
                            c.get("keepsConnection").asBoolean()));
        }
        return out;
    }

    @Test
    void everyCatalogueEntry_shouldExistInTheEnumWithTheSameNumberAndKeepsConnection() {
        for (Entry e : catalogue().values()) {
            ErrorCode code = ErrorCode.valueOf(e.code());
            assertThat(code.number()).as("number of %s", e.code()).isEqualTo(e.number());
            assertThat(code.keepsConnection())
                    .as("keepsConnection of %s", e.code())
                    .isEqualTo(e.keepsConnection());
        }
    }

    @Test
    void everyEnumConstant_shouldBeInTheCatalogue_inTheSameOrder() {
        List<String> enumNames =
                Arrays.stream(ErrorCode.values()).map(Enum::name).toList();

        assertThat(enumNames)
                .containsExactlyElementsOf(new ArrayList<>(catalogue().keySet()));
    }

    @Test
    void numbers_shouldBeUnique() {
        assertThat(Arrays.stream(ErrorCode.values())
                        .map(ErrorCode::number)
                        .distinct()
                        .count())
                .isEqualTo(ErrorCode.values().length);
    }

    @Test
    void closingCodes_shouldBeExactlyTheOnesDeliveredByCloseOrHandshake_orNotConnected() {
        // every code delivered as a frame keeps the connection, except NOT_CONNECTED (the client must reconnect)
        for (JsonNode c : CODES) {
            String delivery = c.get("delivery").asString();
            boolean keeps = c.get("keepsConnection").asBoolean();
            if (!delivery.equals("frame"))
                assertThat(keeps).as(c.get("code").asString()).isFalse();
        }
        assertThat(ErrorCode.NOT_CONNECTED.keepsConnection()).isFalse();
    }

    @Test
    void everyCode_statesWhetherItIsRetryable_andOnlyTransientFrameErrorsAre() {
        // the JS client retries exactly these (client-js/src/codes.js RETRYABLE_CODES); it keeps no list of its own
        for (JsonNode c : CODES) {
            String code = c.get("code").asString();
            assertThat(c.path("retryable").isBoolean())
                    .as(code + ": \"retryable\": true or false")
                    .isTrue();
            if (c.get("retryable").asBoolean()) {
                assertThat(c.get("delivery").asString()).as(code).isEqualTo("frame");
                assertThat(c.get("keepsConnection").asBoolean()).as(code).isTrue();
            }
        }
    }
}
