package dev.broadcaster;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Refuses cross-site requests (CSRF) to the annotated JAX-RS resource methods, or to every method of the
 * annotated class, with 403 and a {@code text/plain} reason, by the rule the built-in endpoints follow:
 *
 * <ul>
 *   <li>{@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}: refused when the {@code Origin} header (or,
 *       without one, {@code Sec-Fetch-Site: cross-site}/{@code same-site}, or a {@code Referer} of another
 *       origin) is neither the request's own origin nor one of {@code broadcaster.allowed-origins};
 *       {@code Origin: null} is always cross-site. A request with none of these headers (curl, another
 *       server) is let through.
 *   <li>{@code GET} and {@code HEAD} of a method producing {@code text/event-stream}: refused when
 *       {@code Sec-Fetch-Dest} is present and not {@code empty} (an {@code <img>} or {@code <script>} tag), or
 *       when {@code Sec-Fetch-Site} is {@code cross-site}/{@code same-site} and the {@code Origin} is not
 *       allowed. Other {@code GET}s (pages) are not checked.
 * </ul>
 *
 * <p>Example: {@code @POST @Path("messages") @SameOrigin public Response post(...)}. The filter that enforces
 * it is a JAX-RS provider of the library, discovered with the application.
 */
@NameBinding
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface SameOrigin {
}
