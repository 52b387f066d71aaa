package io.datacake.sim;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code long} test parameter as the simulation seed: {@link ReplayOnFailure} passes the seed
 * {@link io.datacake.testing.SeededTrials#seed(String, long)} chooses with {@link #value()} as the default, and names the seed and the
 * command that replays it when the test fails.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@interface ReplaySeed
{
    /**
     * The seed used when the system property is not set.
     *
     * @return the default seed.
     */
    long value();
}
