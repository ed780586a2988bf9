package dev.broadcaster.rooms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.broadcaster.rooms.it.support.Server;
import dev.broadcaster.support.HttpCalls;
import dev.broadcaster.support.SseStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

/**
 * The example's https port on Open Liberty (its server.xml: transportSecurity, the self-signed certificate Liberty
 * generates, HTTP/2): a client that offers HTTP/2 by ALPN, as browsers do, gets it, and a room's stream works there
 * as on HTTP/1.1. The browser test {@code http2.test.mjs} shows what it is for (twelve tabs on one connection).
 */
class Http2IT extends DeployedRooms {

    @Test
    void theHttpsPortAnswersARoomsStreamOverHttp2AndDeliversOnIt() throws Exception {
        assumeTrue(Server.liberty(), "the TLS port is the example's Open Liberty configuration (server.xml)");
        HttpClient http2 = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(acceptingAnyCertificate())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        String room = Server.room("h2");
        URI events = URI.create("https://localhost:" + Integer.getInteger("it.https.port") + base.getPath()
                + "rooms/" + room + "/events");
        try (SseStream alice = SseStream.open(http2, events, "alice", null)) {
            assertEquals(200, alice.status(), alice.errorBody());
            assertEquals(HttpClient.Version.HTTP_2, alice.version());
            assertEquals("text/event-stream", alice.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            alice.connectionId();

            HttpResponse<String> posted = HttpCalls.postForm(uri("rooms/" + room + "/messages"), "bob", "text",
                    "over h2");
            assertEquals(204, posted.statusCode(), posted.body());
            RoomsIT.awaitMessage(alice, "bob", "over h2", 1);
        }
    }

    /**
     * TLS that accepts the test server's self-signed certificate (and any other, hostname included): this test
     * checks the protocol spoken, not the certificate, which every installation replaces.
     */
    private static SSLContext acceptingAnyCertificate() throws Exception {
        TrustManager acceptAll = new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
            @Override public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {acceptAll}, null);
        return tls;
    }
}
