package io.datacake.crdt;

import org.junit.jupiter.api.Tag;

/**
 * The ORSWOT properties with 100 times the trials; runs with {@code mvn -B verify -Psoak}.
 */
@Tag("soak")
class OrswotPropertySoakTest extends OrswotPropertyTest
{
    int trials()
    {
        return 20_000;
    }
}
