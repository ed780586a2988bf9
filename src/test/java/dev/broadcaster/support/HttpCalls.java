package dev.broadcaster.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Plain HTTP/1.1 calls to the test server, as a user or anonymously ({@code user == null}). */
public final class HttpCalls {

    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
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

    static HttpRequest.Builder request(URI uri, String user) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        if (user != null) {
            builder.header("Authorization", basic(user, TestUsers.password(user)));
        }
        return builder;
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
