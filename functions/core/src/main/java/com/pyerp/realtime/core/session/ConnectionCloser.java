package com.pyerp.realtime.core.session;

/**
 * Ends a connection from the server side: sends a last frame, then closes the socket. In the cloud: API Gateway's
 * {@code @connections} API (PostToConnection, then DeleteConnection); locally the same API served by the local
 * gateway. Never throws for a connection that is already gone.
 */
public interface ConnectionCloser {
    void close(String connectionId, String lastFrame);
}
