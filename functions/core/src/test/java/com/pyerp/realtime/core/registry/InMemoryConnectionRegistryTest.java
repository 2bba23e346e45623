package com.pyerp.realtime.core.registry;

/** The registry contract on the in-memory registry (the local gateway's default). */
class InMemoryConnectionRegistryTest extends ConnectionRegistryContract {
    private InMemoryConnectionRegistry inMemory;

    @Override
    protected ConnectionRegistry newRegistry() {
        inMemory = new InMemoryConnectionRegistry();
        return inMemory;
    }

    @Override
    protected int raceRounds() {
        return 20000;
    }

    @Override
    protected long storedSubscriptions() {
        return inMemory.channelSizes().values().stream()
                .mapToLong(Integer::longValue)
                .sum();
    }
}
