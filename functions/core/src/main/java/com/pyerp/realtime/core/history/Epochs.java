package com.pyerp.realtime.core.history;

import java.security.SecureRandom;

/** New history epochs: 12 random characters of [0-9a-z], so two epochs of one channel never look alike. */
public final class Epochs {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    private Epochs() {}

    public static String next() {
        char[] out = new char[12];
        for (int i = 0; i < out.length; i++) out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        return new String(out);
    }
}
