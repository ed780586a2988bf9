package dev.broadcaster.bench.liberty;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The WAR's one JAX-RS application at {@code /api} (so {@code /bench/api/} with the context root). Its
 * classes are found by Liberty's scanning: {@link LibraryPublishResource}, {@link NaiveResource} and the
 * library's own endpoints from {@code WEB-INF/lib}.
 */
@ApplicationPath("api")
public class BenchApplication extends Application {
}
