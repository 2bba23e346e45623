package com.pyerp.realtime.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The environment table of functions/README.md is {@link RealtimeEnv.Var}: same variables, required flags, defaults. */
class EnvDocsTest {
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /**
     * Variable name → {required cell, its default as documented or ""} from the README's "Environment contract" table.
     * A row may name several variables; its default cell then lists their defaults in the same order ({@code `10`,
     * `20`}), or one for all. Text outside backquotes (e.g. "(off)", "(none)") is commentary.
     */
    private static Map<String, String[]> documented() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        int start = text.indexOf("## Environment contract");
        assertThat(start)
                .as("section 'Environment contract' in " + readme.toAbsolutePath())
                .isNotNegative();
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : text.substring(start).split("\n")) {
            if (line.startsWith("## ") && !rows.isEmpty()) break;
            if (!line.startsWith("| `")) continue;
            String[] cells = line.split("\\|", -1);
            java.util.List<String> names = codes(cells[1]);
            java.util.List<String> defaults = codes(cells[3]);
            for (int i = 0; i < names.size(); i++) {
                String def =
                        defaults.isEmpty() ? "" : defaults.size() == names.size() ? defaults.get(i) : defaults.get(0);
                rows.put(names.get(i), new String[] {cells[2].trim(), def});
            }
        }
        return rows;
    }

    private static java.util.List<String> codes(String cell) {
        java.util.List<String> out = new java.util.ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void readmeTable_listsExactlyTheVariablesOfTheContract() throws Exception {
        assertThat(documented().keySet())
                .as("functions/README.md, Environment contract: one row per RealtimeEnv.Var")
                .containsExactlyInAnyOrderElementsOf(
                        Arrays.stream(RealtimeEnv.Var.values()).map(Enum::name).toList());
    }

    @Test
    void readmeTable_statesEachRequiredFlagAndDefault() throws Exception {
        Map<String, String[]> rows = documented();
        for (RealtimeEnv.Var v : RealtimeEnv.Var.values()) {
            String[] row = rows.get(v.name());
            if (row == null) continue; // reported by the test above
            assertThat(row[0]).as(v + " required").isEqualTo(v.required() ? "yes" : "no");
            assertThat(row[1]).as(v + " default").isEqualTo(v.defaultValue().orElse(""));
        }
    }
}
