package io.datacake.security;

import io.datacake.testing.TestKeyrings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class ListenAddressCheckTest
{
    @Test
    void aNonLoopbackAddressWithoutAKeyringIsRefusedUnlessInsecureIsSet()
    {
        assertThatThrownBy(() -> ListenAddressCheck.requireSecured("0.0.0.0", null, false))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("0.0.0.0 is reachable from other hosts")
            .hasMessageContaining("Keyring.fromFile").hasMessageContaining("insecure");
        assertThatThrownBy(() -> ListenAddressCheck.requireSecured("10.1.2.3", null, false))
            .isInstanceOf(IllegalStateException.class);
        assertThatCode(() -> ListenAddressCheck.requireSecured("0.0.0.0", null, true)).doesNotThrowAnyException();
        assertThatCode(() -> ListenAddressCheck.requireSecured("10.1.2.3", TestKeyrings.clusterKeyring(), false))
            .doesNotThrowAnyException();
    }

    @Test
    void loopbackAddressesNeedNoKeyring()
    {
        for (final String host : new String[]{"127.0.0.1", "127.1.2.3", "::1", "localhost"})
        {
            assertThatCode(() -> ListenAddressCheck.requireSecured(host, null, false)).as(host)
                .doesNotThrowAnyException();
        }
    }
}
