package dev.broadcaster.datastar;

import dev.broadcaster.internal.SignalsInput;
import jakarta.json.JsonObject;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;

/**
 * Reads the signals a Datastar page sends with its backend actions, in a JAX-RS resource method: {@code @get}
 * and {@code @delete} send them in the {@code datastar} query parameter ({@link #fromQuery}), {@code @post},
 * {@code @put} and {@code @patch} as the JSON body ({@link #fromBody}).
 *
 * <pre>
 * &#64;POST &#64;Path("todos") &#64;Consumes(MediaType.APPLICATION_JSON)
 * public Response add(InputStream body) {
 *     String title = Signals.fromBody(body).getString("title", "");
 *     ...
 * }
 *
 * &#64;GET &#64;Path("search")
 * public String search(&#64;Context UriInfo uriInfo) {
 *     String query = Signals.fromQuery(uriInfo).getString("query", "");
 *     ...
 * }</pre>
 *
 * <p>Nothing sent (no parameter, an empty body) is no signals: an empty object. Input the page cannot have sent
 * is refused with the library's HTTP refusals (a {@code WebApplicationException} whose response has a
 * {@code text/plain} reason, written by the JAX-RS runtime as is): {@code 413} above {@link #MAX_BYTES} (or the
 * limit given; the body is read no further), {@code 400} for bytes that are not UTF-8 or JSON that is not one
 * object, has a key twice, is nested deeper than 64 arrays and objects or holds a number longer than 256
 * characters. To bind the object to a class of your own, hand it to JSON-B:
 * {@code jsonb.fromJson(signals.toString(), Form.class)}.
 */
public final class Signals {

    /** The query parameter {@code @get} and {@code @delete} send the signals in. */
    public static final String QUERY_PARAMETER = "datastar";

    /** The largest signals document read by default: 1 MiB. */
    public static final int MAX_BYTES = 1024 * 1024;

    private Signals() {
    }

    /**
     * The signals of a {@code @get} or {@code @delete}: the first {@value #QUERY_PARAMETER} query parameter of the
     * request.
     *
     * @throws jakarta.ws.rs.BadRequestException (400) if it is not a JSON object within the limits
     * @throws jakarta.ws.rs.ClientErrorException (413) if it is longer than {@link #MAX_BYTES}
     */
    public static JsonObject fromQuery(UriInfo uriInfo) {
        return SignalsInput.fromQuery(uriInfo.getQueryParameters().getFirst(QUERY_PARAMETER), MAX_BYTES);
    }

    /**
     * The signals of a {@code @post}, {@code @put} or {@code @patch}: the request body, JSON in UTF-8, at most
     * {@link #MAX_BYTES}.
     *
     * @throws jakarta.ws.rs.BadRequestException (400) if it is not a JSON object within the limits
     * @throws jakarta.ws.rs.ClientErrorException (413) if it is larger than {@link #MAX_BYTES}
     */
    public static JsonObject fromBody(InputStream body) {
        return fromBody(body, MAX_BYTES);
    }

    /** {@link #fromBody(InputStream)} with a limit of {@code maxBytes} instead of {@link #MAX_BYTES}. */
    public static JsonObject fromBody(InputStream body, int maxBytes) {
        return SignalsInput.fromBody(body, maxBytes);
    }
}
