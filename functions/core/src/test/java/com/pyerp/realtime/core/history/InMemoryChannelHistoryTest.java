package com.pyerp.realtime.core.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The history contract on the in-memory history (the local gateway's default). */
class InMemoryChannelHistoryTest extends ChannelHistoryContract {
    @Override
    protected ChannelHistory newHistory() {
        return new InMemoryChannelHistory();
    }

    @Test
    void channelsWhoseHistoryExpired_areDropped_soALongRunningGatewayStaysSmall() {
        InMemoryChannelHistory h = new InMemoryChannelHistory();
        for (int i = 0; i < 100; i++)
            h.append("acme/sales.order.OLD-" + i, draft("e" + i), NOW, Duration.ofSeconds(10));
        assertThat(h.channelCount()).isEqualTo(100);
        var later = NOW.plusSeconds(60);
        for (int i = 0; i < InMemoryChannelHistory.SWEEP_EVERY; i++) h.append(KEY, draft("n" + i), later, TTL);
        assertThat(h.channelCount()).isEqualTo(1);
        assertThat(h.position(KEY, later, TTL).offset()).isEqualTo(InMemoryChannelHistory.SWEEP_EVERY);
    }
}
