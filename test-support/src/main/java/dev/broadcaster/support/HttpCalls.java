package dev.broadcaster.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * Plain HTTP/1.1 calls, as one of the {@link TestUsers} (password {@code <name>-pw}) or anonymously
 * ({@code user == null}). HTTP/1.1 is forced: the JDK client's h2c upgrade attempt does not suit SSE. The
 * timeouts are long enough for an application server on a loaded machine.
 */
public final class HttpCalls {

    public static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private HttpCalls() {
    }

    public static HttpResponse<String> get(URI uri, String user) {
        return send(request(uri, user).GET().build());
    }

    public static HttpResponse<String> delete(URI uri, String user) {
        return send(request(uri, user).DELETE().build());
    }

    public static HttpResponse<String> postJson(URI uri, String user, String json) {
        return send(request(uri, user).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
    }

    /** Posts an HTML form ({@code application/x-www-form-urlencoded}) with one field. */
    public static HttpResponse<String> postForm(URI uri, String user, String field, String value) {
        String body = field + "=" + encode(value);
        return send(request(uri, user).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    /** A request to {@code uri} with {@code user}'s credentials (none for null). */
    public static HttpRequest.Builder request(URI uri, String user) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (user != null) {
            builder.header("Authorization", basic(user));
        }
        return builder;
    }

    /** The {@code Authorization} header value of {@code user} with the password of {@link TestUsers}. */
    public static String basic(String user) {
        return basic(user, TestUsers.password(user));
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code request} without waiting for the answer. */
    public static CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Sends {@code request} and returns the raw body bytes (for byte-exact comparisons). */
    public static HttpResponse<byte[]> sendForBytes(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code value} percent-encoded for a query parameter or a form field. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
