package dev.broadcaster.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The admin page's HTML ({@value #RESOURCE} in the library's jar: plain HTML and a small inline script
 * that subscribes to {@code <base>/admin/events} and calls the admin endpoints), read once.
 */
final class AdminPage {

    static final String RESOURCE = "/META-INF/broadcaster/admin.html";

    private static volatile String html;

    private AdminPage() {
    }

    static String html() {
        String page = html;
        if (page == null) {
            page = read();
            html = page;
        }
        return page;
    }

    private static String read() {
        try (InputStream in = AdminPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the broadcaster jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
