package com.pyerp.realtime.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** events-schema/README.md lists exactly the catalog's channel families and events. */
class ReadmeCatalogTest {
    private static final EventCatalog CATALOG = EventCatalog.load();

    private static String readme() throws Exception {
        Path p = Path.of(System.getProperty("user.dir")).resolve("../README.md").normalize();
        assertThat(p).as("events-schema/README.md").exists();
        return Files.readString(p);
    }

    @Test
    void eventTable_listsEveryEvent_withItsSourceAndDetailType() throws Exception {
        List<String> rows = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z-]+)` \\| `(pyerp\\.[a-z]+)` \\| `([A-Za-z]+)` \\|")
                .matcher(readme());
        while (m.find()) rows.add(m.group(1) + " " + m.group(2) + " " + m.group(3));
        assertThat(rows)
                .containsExactlyElementsOf(CATALOG.events().stream()
                        .map(e -> e.name() + " " + e.source() + " " + e.detailType())
                        .toList());
    }

    @Test
    void channelTable_listsEveryFamily() throws Exception {
        List<String> rows = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z][A-Za-z0-9.{}\\[\\]]*)` \\| (role|only|every)")
                .matcher(readme());
        while (m.find()) rows.add(m.group(1));
        assertThat(rows)
                .containsExactlyElementsOf(CATALOG.channelFamilies().stream()
                        .map(ChannelFamily::pattern)
                        .toList());
    }
}
