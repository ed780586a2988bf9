package dev.broadcaster.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;

/**
 * The one place that reads {@code broadcaster.*} keys from MicroProfile Config. Every key, with its
 * default, is listed here and in the README. An invalid value is a {@link IllegalStateException}
 * naming the key, which stops deployment.
 */
public final class BroadcasterConfig {

    public static final String HEARTBEAT_INTERVAL = "broadcaster.heartbeat-interval";
    public static final String QUEUE_SIZE = "broadcaster.queue-size";
    public static final String QUEUE_BYTES = "broadcaster.queue-bytes";
    public static final String HISTORY_SIZE = "broadcaster.history-size";
    public static final String SEND_TIMEOUT = "broadcaster.send-timeout";
    public static final String PATH = "broadcaster.path";
    public static final String ALLOW_ANONYMOUS = "broadcaster.allow-anonymous";
    public static final String ENDPOINTS_ENABLED = "broadcaster.endpoints.enabled";
    public static final String CHANNEL_LINGER = "broadcaster.channel-linger";
    public static final String MAX_MESSAGE_SIZE = "broadcaster.max-message-size";
    public static final String ALLOWED_ORIGINS = "broadcaster.allowed-origins";
    public static final String MAX_CONNECTIONS_PER_USER = "broadcaster.max-connections-per-user";
    public static final String MAX_CONNECTIONS = "broadcaster.max-connections";
    public static final String MAX_CHANNELS = "broadcaster.max-channels";
    public static final String PRESENCE_LEAVE_GRACE = "broadcaster.presence-leave-grace";
    public static final String REPLAY_TIMEOUT = "broadcaster.replay-timeout";
    public static final String MAX_REPLAY_BYTES = "broadcaster.max-replay-bytes";
    public static final String MAX_PUBLISH_SIZE = "broadcaster.max-publish-size";
    public static final String MAX_LAG = "broadcaster.max-lag";
    public static final String MAX_CHANNELS_PER_STREAM = "broadcaster.max-channels-per-stream";
    public static final String CONFLATE = "broadcaster.conflate";
    public static final String FAN_OUT_QUEUE_SIZE = "broadcaster.fan-out-queue-size";
    public static final String CLUSTER_ENGINE = "broadcaster.cluster.engine";
    public static final String CLUSTER_REDIS_URI = "broadcaster.cluster.redis.uri";
    public static final String CLUSTER_PREFIX = "broadcaster.cluster.prefix";
    public static final String CLUSTER_NODE_TIMEOUT = "broadcaster.cluster.node-timeout";
    public static final String CLUSTER_SECRET = "broadcaster.cluster.secret";
    public static final String CLUSTER_ACCEPTED_SECRET = "broadcaster.cluster.accepted-secret";
    public static final String CLUSTER_IDLE_STREAM_RETENTION = "broadcaster.cluster.idle-stream-retention";
    public static final String CLUSTER_MAX_IDLE_STREAMS = "broadcaster.cluster.max-idle-streams";
    public static final String CLUSTER_MAX_QUEUED = "broadcaster.cluster.max-queued";

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|kib|kb|k|mib|mb|m)");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern PATH_SYNTAX = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

    private BroadcasterConfig() {
    }

    /** Reads and validates all settings. */
    public static BroadcasterSettings read(Config config) {
        Duration heartbeat = read(config, HEARTBEAT_INTERVAL, Duration.ofSeconds(15), BroadcasterConfig::positiveDuration);
        Duration sendTimeout = read(config, SEND_TIMEOUT, Duration.ofMillis(100), BroadcasterConfig::positiveDuration);
        Duration replayTimeout = read(config, REPLAY_TIMEOUT, Duration.ofSeconds(5), BroadcasterConfig::positiveDuration);
        if (replayTimeout.compareTo(sendTimeout) < 0) {
            throw new IllegalStateException("Configuration key " + REPLAY_TIMEOUT + " (" + replayTimeout.toMillis()
                    + " ms) must not be shorter than " + SEND_TIMEOUT + " (" + sendTimeout.toMillis() + " ms)");
        }
        return new BroadcasterSettings(
                heartbeat,
                read(config, QUEUE_SIZE, 100, BroadcasterConfig::positiveInt),
                read(config, QUEUE_BYTES, 1024L * 1024, BroadcasterConfig::positiveSize),
                read(config, HISTORY_SIZE, 50, BroadcasterConfig::nonNegativeInt),
                sendTimeout,
                read(config, PATH, "/sse", BroadcasterConfig::path),
                read(config, ALLOW_ANONYMOUS, false, BroadcasterConfig::bool),
                read(config, ENDPOINTS_ENABLED, true, BroadcasterConfig::bool),
                read(config, CHANNEL_LINGER, Duration.ofSeconds(30), BroadcasterConfig::nonNegativeDuration),
                read(config, MAX_MESSAGE_SIZE, 64 * 1024, text -> (int) Math.min(Integer.MAX_VALUE, positiveSize(text))),
                cluster(config, heartbeat),
                read(config, ALLOWED_ORIGINS, List.of(), BroadcasterConfig::origins),
                read(config, MAX_CONNECTIONS_PER_USER, 100, BroadcasterConfig::positiveInt),
                read(config, MAX_CONNECTIONS, 50_000, BroadcasterConfig::positiveInt),
                read(config, MAX_CHANNELS, 10_000, BroadcasterConfig::positiveInt),
                read(config, PRESENCE_LEAVE_GRACE, Duration.ofSeconds(2), BroadcasterConfig::nonNegativeDuration),
                replayTimeout,
                read(config, MAX_REPLAY_BYTES, 4L * 1024 * 1024, BroadcasterConfig::positiveSize),
                read(config, MAX_PUBLISH_SIZE, 1024L * 1024, BroadcasterConfig::positiveSize),
                read(config, MAX_LAG, Duration.ofSeconds(30), BroadcasterConfig::positiveDuration),
                read(config, FAN_OUT_QUEUE_SIZE, 10_000, BroadcasterConfig::positiveInt),
                read(config, MAX_CHANNELS_PER_STREAM, BroadcasterSettings.DEFAULT_MAX_CHANNELS_PER_STREAM,
                        BroadcasterConfig::positiveInt),
                read(config, CONFLATE, List.of(), BroadcasterConfig::channelPatterns));
    }

    /**
     * A comma-separated list of channel names, or of prefixes ending in {@code *} ({@code dashboard-*}); each a
     * valid channel name once its {@code *} is taken off (a lone {@code *}: every channel).
     */
    static List<String> channelPatterns(String text) {
        List<String> patterns = new ArrayList<>();
        for (String part : text.split(",")) {
            String pattern = part.trim();
            if (pattern.isEmpty()) {
                continue;
            }
            String name = pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern;
            if (!name.isEmpty() && !ChannelNames.valid(name)) {
                throw new IllegalArgumentException("expected channel names or prefixes ending in *, separated by"
                        + " commas, such as dashboard-*,prices");
            }
            patterns.add(pattern);
        }
        return List.copyOf(patterns);
    }

    /**
     * A comma-separated list of origins, {@code scheme://host[:port]} ({@code http} or {@code https}, no path),
     * normalised as browsers send them in {@code Origin}: lower-case scheme and host, default port left out.
     */
    static List<String> origins(String text) {
        List<String> origins = new ArrayList<>();
        for (String part : text.split(",")) {
            String origin = part.trim();
            if (!origin.isEmpty()) {
                origins.add(origin(origin));
            }
        }
        return List.copyOf(origins);
    }

    /** One origin, normalised; an {@link IllegalArgumentException} if it is not {@code scheme://host[:port]}. */
    static String origin(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("expected origins such as https://app.example.org:8443, separated by commas");
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("expected origins such as https://app.example.org:8443, separated by commas");
        }
    }

    /**
     * The cluster keys; the node timeout defaults to the heartbeat interval. No secret by default (nothing signed);
     * an idle channel's stream is kept {@link ClusterSettings#DEFAULT_IDLE_STREAM_RETENTION} (60 s: longer than the
     * default channel linger, so a client back within it resumes on any node as it would on its own), at most
     * {@link ClusterSettings#DEFAULT_MAX_IDLE_STREAMS} (1,000) of them.
     */
    private static ClusterSettings cluster(Config config, Duration heartbeat) {
        String engine = read(config, CLUSTER_ENGINE, ClusterSettings.NONE, BroadcasterConfig::engine);
        URI uri = read(config, CLUSTER_REDIS_URI, null, BroadcasterConfig::redisUri);
        if (ClusterSettings.REDIS.equals(engine) && uri == null) {
            throw new IllegalStateException("Configuration key " + CLUSTER_REDIS_URI + " is required when "
                    + CLUSTER_ENGINE + " is redis (e.g. redis://localhost:6379)");
        }
        String secret = read(config, CLUSTER_SECRET, null, BroadcasterConfig::secret);
        String accepted = read(config, CLUSTER_ACCEPTED_SECRET, null, BroadcasterConfig::secret);
        if (accepted != null && secret == null) {
            throw new IllegalStateException("Configuration key " + CLUSTER_ACCEPTED_SECRET + " needs "
                    + CLUSTER_SECRET + " (the secret this node signs with)");
        }
        return new ClusterSettings(engine, uri, read(config, CLUSTER_PREFIX, "broadcaster", BroadcasterConfig::prefix),
                read(config, CLUSTER_NODE_TIMEOUT, heartbeat, BroadcasterConfig::positiveDuration), secret, accepted,
                read(config, CLUSTER_IDLE_STREAM_RETENTION, ClusterSettings.DEFAULT_IDLE_STREAM_RETENTION,
                        BroadcasterConfig::positiveDuration),
                read(config, CLUSTER_MAX_IDLE_STREAMS, ClusterSettings.DEFAULT_MAX_IDLE_STREAMS,
                        BroadcasterConfig::positiveInt),
                read(config, CLUSTER_MAX_QUEUED, ClusterSettings.DEFAULT_MAX_QUEUED, BroadcasterConfig::positiveInt));
    }

    /**
     * A shared secret: at least 16 characters (its value is never shown in an error). A short one could be
     * found from one captured message by trying candidates.
     */
    static String secret(String text) {
        if (text.length() < 16) {
            throw new IllegalArgumentException("expected at least 16 characters (e.g. from openssl rand -base64 32)");
        }
        return text;
    }

    /**
     * {@code none}, {@code redis} (either case), or the fully qualified name of an application's
     * {@link dev.broadcaster.cluster.ClusterEngine} class, which must be loadable and have the constructor the
     * SPI describes.
     */
    static String engine(String text) {
        String engine = text.toLowerCase(Locale.ROOT);
        if (engine.equals(ClusterSettings.NONE) || engine.equals(ClusterSettings.REDIS)) {
            return engine;
        }
        ClusterEngines.engineConstructor(text);
        return text;
    }

    static URI redisUri(String text) {
        try {
            URI uri = new URI(text);
            String path = uri.getPath() == null ? "" : uri.getPath();
            if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getPort() < 1 || !path.matches("(/\\d{0,2})?")) {
                throw new IllegalArgumentException("expected redis://host:port[/database]");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("expected redis://host:port[/database]");
        }
    }

    static String prefix(String text) {
        if (!text.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("expected 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return text;
    }

    private static <T> T read(Config config, String key, T defaultValue, Function<String, T> parser) {
        Optional<String> raw = config.getOptionalValue(key, String.class);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            return parser.apply(raw.get().trim());
        } catch (IllegalArgumentException e) {
            String shown = key.endsWith("secret") ? "(not shown)" : "'" + raw.get() + "'";
            throw new IllegalStateException("Invalid value " + shown + " for configuration key " + key + ": "
                    + e.getMessage());
        }
    }

    /** {@code 250ms}, {@code 15s}, {@code 5m}, {@code 1h} or ISO-8601 such as {@code PT15S}; must be positive. */
    static Duration positiveDuration(String text) {
        Duration duration = duration(text);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("expected a positive duration");
        }
        return duration;
    }

    static Duration nonNegativeDuration(String text) {
        Duration duration = duration(text);
        if (duration.isNegative()) {
            throw new IllegalArgumentException("expected zero or a positive duration");
        }
        return duration;
    }

    /** A byte size: {@code 1048576}, {@code 64KiB}, {@code 1MiB} (KB/MB and K/M mean the same powers of 1024). */
    static long positiveSize(String text) {
        var matcher = SIZE.matcher(text.toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a size such as 65536, 64KiB or 1MiB");
        }
        long amount;
        try {
            amount = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large");
        }
        long unit = switch (matcher.group(2)) {
            case "kib", "kb", "k" -> 1024L;
            case "mib", "mb", "m" -> 1024L * 1024;
            default -> 1L;
        };
        if (amount < 1 || amount > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("expected a positive size");
        }
        return amount * unit;
    }

    static Duration duration(String text) {
        var matcher = SHORT_DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected a duration such as 250ms, 15s, 5m or PT15S");
        }
    }

    static int positiveInt(String text) {
        int value = integer(text);
        if (value < 1) {
            throw new IllegalArgumentException("expected a positive integer");
        }
        return value;
    }

    static int nonNegativeInt(String text) {
        int value = integer(text);
        if (value < 0) {
            throw new IllegalArgumentException("expected zero or a positive integer");
        }
        return value;
    }

    private static int integer(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected an integer");
        }
    }

    static boolean bool(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    static String path(String text) {
        String path = text.endsWith("/") && text.length() > 1 ? text.substring(0, text.length() - 1) : text;
        if (!PATH_SYNTAX.matcher(path).matches()) {
            throw new IllegalArgumentException("expected a path such as /sse (segments of letters, digits, . _ ~ -)");
        }
        return path;
    }
}
