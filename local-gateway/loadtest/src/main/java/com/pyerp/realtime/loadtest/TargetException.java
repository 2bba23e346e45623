package com.pyerp.realtime.loadtest;

/** The target refused or could not be reached: the message says what failed and what to check (exit code 1). */
final class TargetException extends Exception {
    TargetException(String message) {
        super(message);
    }

    TargetException(String message, Throwable cause) {
        super(message, cause);
    }
}
