package com.figureforge.app.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class ClientAddressesTest {

    private static MockHttpServletRequest from(String remote, String... forwardedFor) {
        var request = new MockHttpServletRequest();
        request.setRemoteAddr(remote);
        for (String header : forwardedFor) {
            request.addHeader("X-Forwarded-For", header);
        }
        return request;
    }

    @Test
    void withoutTrustedProxiesTheConnectionIsTheClientAndForwardedForIsIgnored() {
        var addresses = new ClientAddresses(List.of());
        assertThat(addresses.of(from("203.0.113.5", "198.51.100.1"))).isEqualTo("203.0.113.5");
    }

    @Test
    void anUntrustedConnectionCannotClaimAnotherAddress() {
        var addresses = new ClientAddresses(List.of("10.0.0.0/8"));
        assertThat(addresses.of(from("203.0.113.5", "198.51.100.1"))).isEqualTo("203.0.113.5");
    }

    @Test
    void behindTrustedProxiesTheRightmostUntrustedHopIsTheClient() {
        var addresses = new ClientAddresses(List.of("10.0.0.0/8", " 192.168.0.0/16 "));
        // The client wrote "1.2.3.4" itself; the outer proxy appended the real peer, the inner one its own.
        assertThat(addresses.of(from("10.0.0.7", "1.2.3.4, 198.51.100.1", "192.168.1.1")))
                .isEqualTo("198.51.100.1");
        assertThat(addresses.of(from("10.0.0.7", "evil.example, 198.51.100.2"))).isEqualTo("198.51.100.2");
    }

    @Test
    void aTrustedProxyWithoutForwardedForIsItselfTheClient() {
        var addresses = new ClientAddresses(List.of("10.0.0.0/8"));
        assertThat(addresses.of(from("10.0.0.7"))).isEqualTo("10.0.0.7");
        assertThat(addresses.of(from("10.0.0.7", "10.0.0.8"))).isEqualTo("10.0.0.8");
    }
}
