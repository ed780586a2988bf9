package dev.broadcaster.rooms.it.support;

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

/**
 * Plain HTTP/1.1 calls, as one of the example's users (password {@code <name>-pw}) or anonymously
 * ({@code user == null}). HTTP/1.1 is forced: the JDK client's h2c upgrade attempt does not suit SSE.
 */
public final class Http {

    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private Http() {
    }

    public static String password(String user) {
        return user + "-pw";
    }

    public static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password(user)).getBytes(StandardCharsets.UTF_8));
    }

    public static HttpResponse<String> get(URI uri, String user) {
        return send(request(uri, user).GET().build());
    }

    public static HttpResponse<String> delete(URI uri, String user) {
        return send(request(uri, user).DELETE().build());
    }

    /** Posts an HTML form ({@code application/x-www-form-urlencoded}) with one field. */
    public static HttpResponse<String> postForm(URI uri, String user, String field, String value) {
        String body = field + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
        return send(request(uri, user).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    static HttpRequest.Builder request(URI uri, String user) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (user != null) {
            builder.header("Authorization", basic(user));
        }
        return builder;
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
    public static java.util.concurrent.CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** {@code value} percent-encoded for a query parameter. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
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
}
