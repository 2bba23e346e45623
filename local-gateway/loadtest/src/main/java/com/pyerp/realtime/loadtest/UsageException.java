package com.pyerp.realtime.loadtest;

/** A bad command line: the message says what to change (exit code 2). */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
