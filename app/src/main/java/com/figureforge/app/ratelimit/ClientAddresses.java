package com.figureforge.app.ratelimit;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * The client address of a request, for per-address limits. {@code X-Forwarded-For} is believed only when
 * the connection comes from a trusted proxy, and then only from the right: the rightmost address that is
 * not a trusted proxy is the client (anything left of it the client could have written itself).
 */
final class ClientAddresses {

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final List<IpAddressMatcher> trusted;

    ClientAddresses(List<String> trustedProxyCidrs) {
        this.trusted = trustedProxyCidrs.stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(IpAddressMatcher::new)
                .toList();
    }

    String of(HttpServletRequest request) {
        String remote = request.getRemoteAddr();
        if (!isTrusted(remote)) {
            return remote;
        }
        String client = remote;
        var headers = request.getHeaders("X-Forwarded-For");
        List<String> hops = new ArrayList<>();
        while (headers.hasMoreElements()) {
            for (String hop : headers.nextElement().split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.trim());
                }
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            // A proxy appends addresses; anything longer is not one and must not become a long key.
            client = hops.get(i).length() > 45 ? hops.get(i).substring(0, 45) : hops.get(i);
            if (!isTrusted(client)) {
                return client;
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        // Only IP literals are matched: a name in a forged header must not cause a DNS look-up.
        if (!IP_LITERAL.matcher(address).matches()) {
            return false;
        }
        for (IpAddressMatcher matcher : trusted) {
            try {
                if (matcher.matches(address)) {
                    return true;
                }
            } catch (IllegalArgumentException notAnAddress) {
                return false;
            }
        }
        return false;
    }
}
