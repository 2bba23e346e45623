package com.pyerp.realtime.local;

import com.pyerp.realtime.core.log.AuditLog;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * DNS-rebinding protection for every endpoint (WebSocket upgrade, {@code @connections}, PutEvents, {@code /local/*},
 * the console): a request whose {@code Host} is not a loopback name ({@code localhost}, {@code 127.x.x.x},
 * {@code [::1]}) or one of {@code --allow-host} gets 403 before any handler runs. A page on {@code evil.example}
 * that rebinds its name to 127.0.0.1 still sends {@code Host: evil.example}, so it can mint no token, list no
 * connection and inject no frame. API Gateway needs no such check: it routes by its own host name.
 */
final class HostCheck extends Handler.Wrapper {
    private final Set<String> allowed = new TreeSet<>();

    HostCheck(List<String> extraHosts, Handler next) {
        super(next);
        allowed.add("localhost");
        for (String h : extraHosts) allowed.add(h.toLowerCase(Locale.ROOT));
    }

    /** The host part of a Host header (no port), lower case; null when absent or malformed. */
    static String hostOf(String header) {
        if (header == null || header.isBlank()) return null;
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? null : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    boolean allows(String hostHeader) {
        String h = hostOf(hostHeader);
        if (h == null) return false;
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1); // "localhost." is localhost
        return allowed.contains(h) || h.equals("[::1]") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (allows(host)) return super.handle(request, response, callback);
        AuditLog.refused(
                "host",
                "Host header not allowed (DNS rebinding protection): " + host,
                "sourceIp",
                Request.getRemoteAddr(request),
                "path",
                request.getHttpURI().getPath());
        HttpIo.json(
                response,
                callback,
                403,
                Map.of(
                        "message",
                        "Host '" + host + "' is not allowed; the local gateway accepts loopback names only"
                                + " (start it with --allow-host NAME to add one)"));
        return true;
    }
}
