package com.pyerp.realtime.core.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pyerp.realtime.events.ChannelFamily;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link ChannelHistory} keeps, run against each implementation (in memory here, DynamoDB in
 * functions/lambda), and {@link Recovery} on top of it. Instants are whole seconds (DynamoDB's TTL unit).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ChannelHistoryContract {
    protected static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    protected static final Duration TTL = Duration.ofHours(1);
    protected static final String KEY = "acme/sales.order.SO-1";
    protected static final ChannelFamily.History POLICY = new ChannelFamily.History(5, TTL.toSeconds());

    protected ChannelHistory history;
    private ExecutorService pool;

    /** A fresh, empty history for one test. */
    protected abstract ChannelHistory newHistory();

    @BeforeEach
    void setUp() {
        history = newHistory();
    }

    @AfterEach
    void tearDown() {
        if (pool != null) pool.shutdownNow();
    }

    protected static Publication draft(String id) {
        return Publication.draft(
                id,
                "pyerp.sales",
                "OrderStatusChanged",
                "2026-11-25T10:00:00Z",
                "corr-" + id,
                "{\"tenantId\":\"acme\",\"orderId\":\"SO-1\",\"n\":\"" + id + "\"}");
    }

    @Test
    void position_ofANewChannel_isOffsetZero_inAStableEpoch() {
        StreamPosition p = history.position(KEY, NOW, TTL);
        assertThat(p.offset()).isZero();
        assertThat(p.epoch()).isNotBlank();
        assertThat(history.position(KEY, NOW.plusSeconds(10), TTL)).isEqualTo(p);
    }

    @Test
    void append_numbersOneByOne_andReadReturnsTheRangeInOrder_withEveryField() {
        String epoch = history.position(KEY, NOW, TTL).epoch();
        for (int i = 1; i <= 4; i++) {
            Publication p = history.append(KEY, draft("e" + i), NOW, TTL);
            assertThat(p.offset()).isEqualTo(i);
            assertThat(p.epoch()).isEqualTo(epoch);
        }
        assertThat(history.position(KEY, NOW, TTL)).isEqualTo(new StreamPosition(4, epoch));
        List<Publication> got = history.read(KEY, epoch, 1, 3, NOW);
        assertThat(got).extracting(Publication::offset).containsExactly(2L, 3L);
        assertThat(got.get(0)).isEqualTo(draft("e2").numbered(2, epoch));
        assertThat(history.read(KEY, "another-epoch", 0, 4, NOW)).isEmpty();
        assertThat(history.read("acme/sales.order.SO-2", epoch, 0, 4, NOW)).isEmpty();
    }

    @Test
    void channelsAreIndependent_andTenantScoped() {
        history.append(KEY, draft("a"), NOW, TTL);
        Publication other = history.append("globex/sales.order.SO-1", draft("b"), NOW, TTL);
        assertThat(other.offset()).isEqualTo(1);
        assertThat(history.position(KEY, NOW, TTL).offset()).isEqualTo(1);
    }

    @Test
    void expiredEntries_areFilteredOnRead() {
        String epoch = history.position(KEY, NOW, TTL).epoch();
        history.append(KEY, draft("old"), NOW, Duration.ofSeconds(10));
        history.append(KEY, draft("new"), NOW.plusSeconds(5), TTL);
        assertThat(history.read(KEY, epoch, 0, 2, NOW.plusSeconds(20)))
                .extracting(Publication::eventId)
                .containsExactly("new");
    }

    @Test
    void aChannelWhoseHistoryExpired_startsANewEpochAtZero_andNeverReturnsTheOldEntries() {
        StreamPosition first = history.position(KEY, NOW, TTL);
        history.append(KEY, draft("a"), NOW, TTL);
        history.append(KEY, draft("b"), NOW, TTL);
        Instant later = NOW.plus(TTL).plusSeconds(1);
        StreamPosition second = history.position(KEY, later, TTL);
        assertThat(second.epoch()).isNotEqualTo(first.epoch());
        assertThat(second.offset()).isZero();
        Publication c = history.append(KEY, draft("c"), later, TTL);
        assertThat(c.offset()).isEqualTo(1);
        assertThat(history.read(KEY, second.epoch(), 0, 2, later))
                .extracting(Publication::eventId)
                .containsExactly("c");
        assertThat(history.read(KEY, first.epoch(), 0, 2, later)).isEmpty();
    }

    @Test
    void aDetailTooBigToKeep_isNumberedButNotRecoverable() {
        String big = "{\"x\":\"" + "y".repeat(ChannelHistory.MAX_DETAIL_CHARS) + "\"}";
        Publication p = history.append(
                KEY, Publication.draft("big", "pyerp.sales", "OrderStatusChanged", "t", "c", big), NOW, TTL);
        assertThat(p.offset()).isEqualTo(1);
        assertThat(history.read(KEY, p.epoch(), 0, 1, NOW))
                .singleElement()
                .satisfies(x -> assertThat(x.detail()).isNull());
        assertThat(Recovery.of(history, KEY, POLICY, new StreamPosition(0, p.epoch()), NOW)
                        .recovered())
                .isFalse();
    }

    @Test
    void concurrentAppenders_getUniqueGapFreeOffsets() throws Exception {
        String epoch = history.position(KEY, NOW, TTL).epoch();
        pool = Executors.newFixedThreadPool(4);
        List<Callable<List<Long>>> tasks = new ArrayList<>();
        int perTask = appendsPerConcurrentTask();
        for (int t = 0; t < 4; t++) {
            int task = t;
            tasks.add(() -> {
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < perTask; i++)
                    mine.add(
                            history.append(KEY, draft(task + "-" + i), NOW, TTL).offset());
                return mine;
            });
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : pool.invokeAll(tasks)) all.addAll(f.get());
        Collections.sort(all);
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= 4L * perTask; i++) expected.add(i);
        assertThat(all).isEqualTo(expected);
        assertThat(history.position(KEY, NOW, TTL)).isEqualTo(new StreamPosition(4L * perTask, epoch));
        assertThat(history.read(KEY, epoch, 0, 4L * perTask, NOW)).hasSize(4 * perTask);
    }

    /** Appends per task in the concurrency test (4 tasks). */
    protected int appendsPerConcurrentTask() {
        return 200;
    }

    @Test
    void recovery_returnsExactlyTheMissedEvents_inOrder() {
        StreamPosition start = history.position(KEY, NOW, TTL);
        history.append(KEY, draft("a"), NOW, TTL);
        history.append(KEY, draft("b"), NOW, TTL);
        history.append(KEY, draft("c"), NOW, TTL);
        Recovery r = Recovery.of(history, KEY, POLICY, new StreamPosition(1, start.epoch()), NOW);
        assertThat(r.recovered()).isTrue();
        assertThat(r.position()).isEqualTo(new StreamPosition(3, start.epoch()));
        assertThat(r.publications()).extracting(Publication::eventId).containsExactly("b", "c");

        Recovery upToDate = Recovery.of(history, KEY, POLICY, new StreamPosition(3, start.epoch()), NOW);
        assertThat(upToDate.recovered()).isTrue();
        assertThat(upToDate.publications()).isEmpty();

        Recovery none = Recovery.of(history, KEY, POLICY, null, NOW);
        assertThat(none.recovered()).isNull();
        assertThat(none.position().offset()).isEqualTo(3);
    }

    @Test
    void recovery_isRefused_forAnotherEpoch_aPositionAhead_orMoreMissedThanTheHistoryKeeps() {
        String epoch = history.position(KEY, NOW, TTL).epoch();
        for (int i = 0; i < 7; i++) history.append(KEY, draft("e" + i), NOW, TTL);
        assertThat(Recovery.of(history, KEY, POLICY, new StreamPosition(6, "other"), NOW)
                        .recovered())
                .isFalse();
        assertThat(Recovery.of(history, KEY, POLICY, new StreamPosition(8, epoch), NOW)
                        .recovered())
                .isFalse();
        // size 5: from offset 1, six were missed
        assertThat(Recovery.of(history, KEY, POLICY, new StreamPosition(1, epoch), NOW)
                        .recovered())
                .isFalse();
        Recovery ok = Recovery.of(history, KEY, POLICY, new StreamPosition(2, epoch), NOW);
        assertThat(ok.recovered()).isTrue();
        assertThat(ok.publications()).extracting(Publication::offset).containsExactly(3L, 4L, 5L, 6L, 7L);
    }

    @Test
    void recovery_isRefused_whenAMissedEventExpired() {
        String epoch = history.position(KEY, NOW, TTL).epoch();
        history.append(KEY, draft("short"), NOW, Duration.ofSeconds(10));
        history.append(KEY, draft("long"), NOW, TTL);
        assertThat(Recovery.of(history, KEY, POLICY, new StreamPosition(0, epoch), NOW.plusSeconds(30))
                        .recovered())
                .isFalse();
        assertThat(Recovery.of(history, KEY, POLICY, new StreamPosition(1, epoch), NOW.plusSeconds(30))
                        .recovered())
                .isTrue();
    }

    @Test
    void badChannelKeys_areRefusedBeforeAnyWrite() {
        assertThatThrownBy(() -> history.append("no-tenant", draft("x"), NOW, TTL))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> history.position("acme/bad..channel", NOW, TTL))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
