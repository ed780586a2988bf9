package dev.broadcaster.internal;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The one rule that tells a browser's cross-site request (CSRF) from a same-origin one, used by the built-in
 * endpoints and by {@link SameOriginFilter} for {@link dev.broadcaster.SameOrigin} methods. A request is from
 * "its own origin" when its {@code Origin} equals the {@code scheme://host[:port]} it was addressed to (the
 * base URI as the JAX-RS runtime sees it, i.e. the {@code Host} header), compared normalised as
 * {@link BroadcasterConfig#origin} does; origins in {@code broadcaster.allowed-origins} count as its own
 * (this is also how a server behind a TLS-terminating proxy, which sees {@code http} while browsers send
 * {@code https}, is told its public origin). {@code Origin: null} is never its own. Stateless; any thread.
 */
final class CrossSiteCheck {

    private static final String SITE = "Sec-Fetch-Site";
    private static final String DEST = "Sec-Fetch-Dest";

    private final List<String> allowedOrigins;

    CrossSiteCheck(List<String> allowedOrigins) {
        this.allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** Whether {@code method} changes state and so gets {@link #requireSameOriginWrite}. */
    static boolean unsafe(String method) {
        return switch (method.toUpperCase(Locale.ROOT)) {
            case "POST", "PUT", "PATCH", "DELETE" -> true;
            default -> false;
        };
    }

    /**
     * For a state-changing request: 403 when its {@code Origin} (or, without one, {@code Sec-Fetch-Site}, or
     * its {@code Referer}) says another site sent it. A request with none of these headers is not a browser's
     * and passes.
     *
     * @param header the request's header values by name (null when absent)
     * @param base the request's base URI, whose scheme, host and port are its own origin (null: unknown)
     */
    void requireSameOriginWrite(UnaryOperator<String> header, URI base) {
        String origin = header.apply("Origin");
        if (origin != null) {
            if (!allowed(origin, base)) {
                throw refused("its Origin is neither this server's origin nor one of broadcaster.allowed-origins");
            }
            return;
        }
        String site = header.apply(SITE);
        if (site != null) {
            if (!sameOrigin(site)) {
                throw refused(SITE + " is " + describe(site) + " and the request has no allowed Origin");
            }
            return;
        }
        String referer = header.apply("Referer");
        if (referer != null && !allowed(originOf(referer), base)) {
            throw refused("its Referer is neither of this server's origin nor of one of broadcaster.allowed-origins");
        }
    }

    /**
     * For opening a stream ({@code GET}/{@code HEAD} of {@code text/event-stream}): 403 when the fetch metadata
     * say a tag ({@code Sec-Fetch-Dest} other than {@code empty}: an image, a script, a frame) or another site
     * ({@code Sec-Fetch-Site} other than {@code same-origin}/{@code none}, or an {@code Origin} header, without
     * an allowed {@code Origin}) opened it. A request without fetch metadata or {@code Origin} passes.
     */
    void requireSameOriginStream(UnaryOperator<String> header, URI base) {
        String dest = header.apply(DEST);
        if (dest != null && !dest.trim().equalsIgnoreCase("empty")) {
            throw refused(DEST + " is " + describe(dest) + ": a stream is opened by an EventSource or fetch, not by a tag");
        }
        String origin = header.apply("Origin");
        String site = header.apply(SITE);
        if (origin != null) {
            if (!allowed(origin, base)) {
                throw refused("its Origin is neither this server's origin nor one of broadcaster.allowed-origins");
            }
        } else if (site != null && !sameOrigin(site)) {
            throw refused(SITE + " is " + describe(site) + " and the request has no allowed Origin");
        }
    }

    private boolean allowed(String origin, URI base) {
        String normalised = normalised(origin);
        if (normalised == null) {
            return false;
        }
        return normalised.equals(ownOrigin(base)) || allowedOrigins.contains(normalised);
    }

    /** {@code same-origin} or {@code none} (typed in the address bar): the two values that are not another site. */
    private static boolean sameOrigin(String site) {
        String value = site.trim().toLowerCase(Locale.ROOT);
        return value.equals("same-origin") || value.equals("none");
    }

    /** The origin as {@link BroadcasterConfig#origin} writes it, or null when it is none ({@code null}, malformed). */
    private static String normalised(String origin) {
        if (origin == null || origin.trim().equalsIgnoreCase("null")) {
            return null;
        }
        try {
            return BroadcasterConfig.origin(origin.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code scheme://host[:port]} of a Referer (a full URL), or null when it has none. */
    private static String originOf(String referer) {
        try {
            URI uri = new URI(referer.trim());
            if (uri.getScheme() == null || uri.getRawAuthority() == null) {
                return null;
            }
            return uri.getScheme() + "://" + uri.getRawAuthority();
        } catch (Exception e) {
            return null;
        }
    }

    private static String ownOrigin(URI base) {
        if (base == null || base.getScheme() == null || base.getHost() == null) {
            return null;
        }
        return normalised(base.getScheme() + "://" + base.getHost() + (base.getPort() == -1 ? "" : ":" + base.getPort()));
    }

    /** A header value as shown in a reason: at most 40 characters, printable ASCII only. */
    private static String describe(String value) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return "'" + shown.replaceAll("[^\\x20-\\x7E]", "?") + "'";
    }

    private static RuntimeException refused(String why) {
        return Refusals.forbidden("Refused a cross-site request: " + why);
    }
}
