package dev.broadcaster.internal;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ClientErrorException;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;

/**
 * The one place that writes the library's HTTP refusals: each is a {@link WebApplicationException} whose
 * response has the status, a {@code text/plain} reason a person can read, and the headers the status calls for
 * ({@code WWW-Authenticate} on 401, {@code Retry-After} on 429 and 503). The JAX-RS runtime writes the response
 * as is: no stack trace, no log line per request.
 */
final class Refusals {

    /** The realm named in the {@code WWW-Authenticate} challenge. */
    static final String REALM = "broadcaster";

    private Refusals() {
    }

    /** 400: the request is malformed; {@code reason} says what is wrong. */
    static BadRequestException badRequest(String reason) {
        return new BadRequestException(plain(Response.Status.BAD_REQUEST, reason).build());
    }

    /** 401 with a Basic challenge: the request needs a user. */
    static NotAuthorizedException unauthenticated() {
        return new NotAuthorizedException(plain(Response.Status.UNAUTHORIZED, "Authentication required")
                .header("WWW-Authenticate", "Basic realm=\"" + REALM + "\"").build());
    }

    /** 403: the user (or the page the request came from) may not do this. */
    static ForbiddenException forbidden(String reason) {
        return new ForbiddenException(plain(Response.Status.FORBIDDEN, reason).build());
    }

    /** 413: the body or the event is larger than allowed. */
    static ClientErrorException tooLarge(String reason) {
        return new ClientErrorException(plain(Response.Status.REQUEST_ENTITY_TOO_LARGE, reason).build());
    }

    /** 415: the body's media type is not one this endpoint reads. */
    static ClientErrorException unsupportedMediaType(String reason) {
        return new ClientErrorException(plain(Response.Status.UNSUPPORTED_MEDIA_TYPE, reason).build());
    }

    /** 429 with {@code Retry-After}: a limit on connections or channels is reached. */
    static ClientErrorException tooManyRequests(String reason, Duration retryAfter) {
        return new ClientErrorException(plain(Response.Status.TOO_MANY_REQUESTS, reason)
                .header("Retry-After", seconds(retryAfter)).build());
    }

    /** 503 with {@code Retry-After}: the server is behind and refuses more work for now. */
    static ServiceUnavailableException unavailable(String reason, Duration retryAfter) {
        return new ServiceUnavailableException(plain(Response.Status.SERVICE_UNAVAILABLE, reason)
                .header("Retry-After", seconds(retryAfter)).build());
    }

    /** 404 without a body (a path the library does not serve). */
    static WebApplicationException notFound() {
        return new WebApplicationException(Response.status(Response.Status.NOT_FOUND).build());
    }

    private static long seconds(Duration retryAfter) {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    private static Response.ResponseBuilder plain(Response.Status status, String reason) {
        return Response.status(status).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).entity(reason);
    }
}
