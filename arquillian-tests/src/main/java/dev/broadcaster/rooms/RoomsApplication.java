package dev.broadcaster.rooms;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The JAX-RS application at the context root: pages, room streams, and the library's endpoints under /sse. */
@ApplicationPath("/")
public class RoomsApplication extends Application {
}
