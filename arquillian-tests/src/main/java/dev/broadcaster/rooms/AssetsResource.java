package dev.broadcaster.rooms;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.Map;

/**
 * Serves the htmx scripts that the WAR build installs from npm (src/main/frontend/package.json), so the htmx page
 * works without a CDN, and the pages' stylesheet (src/main/resources/META-INF/rooms-assets/rooms.css).
 * The JAX-RS application sits at the context root, so the container's static files are not reachable.
 */
@Path("assets")
public class AssetsResource {

    private static final Map<String, String> ASSETS = Map.of(
            "htmx.min.js", "META-INF/rooms-assets/htmx.org/htmx.min.js",
            "sse.js", "META-INF/rooms-assets/htmx-ext-sse/sse.js",
            "htmx4.min.js", "META-INF/rooms-assets/htmx4/htmx.min.js",
            "hx-sse.js", "META-INF/rooms-assets/htmx4/hx-sse.js",
            "rooms.css", "META-INF/rooms-assets/rooms.css");

    @GET
    @Path("{name}")
    public Response asset(@PathParam("name") String name) {
        String resource = ASSETS.get(name);
        InputStream in = resource == null ? null
                : Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new NotFoundException();
        }
        CacheControl cache = new CacheControl();
        cache.setMaxAge(86400);
        String type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        return Response.ok(in, type).cacheControl(cache).build();
    }
}
