package com.pyerp.realtime.events;

import java.util.ArrayList;
import java.util.List;

/** Channel templates: dot-separated segments where {@code {name}} is a parameter and {@code {name[]}} expands an array. */
final class Templates {
    private Templates() {}

    static boolean isParam(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }

    static boolean isArrayParam(String segment) {
        return isParam(segment) && segment.endsWith("[]}");
    }

    static String paramName(String segment) {
        String inner = segment.substring(1, segment.length() - 1);
        return inner.endsWith("[]") ? inner.substring(0, inner.length() - 2) : inner;
    }

    static List<String> params(String template) {
        List<String> out = new ArrayList<>();
        for (String s : template.split("\\.")) {
            if (isParam(s)) out.add(paramName(s));
        }
        return out;
    }

    /** The same template with every parameter named {@code *}, to compare an event's template with a family's. */
    static String shape(String template) {
        List<String> out = new ArrayList<>();
        for (String s : template.split("\\.")) out.add(isParam(s) ? "*" : s);
        return String.join(".", out);
    }
}
