package dev.broadcaster.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * A test that fails when the suite runs clustered because the library is wrong in a cluster: it does not run in
 * Surefire's {@code clustered} execution until the bug is fixed. Remove it with the fix.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@DisabledIfSystemProperty(named = "broadcaster.cluster.engine", matches = ".+",
        disabledReason = "a known bug of cluster mode: see @KnownClusterBug on the test")
public @interface KnownClusterBug {

    /** What goes wrong in a cluster, and where. */
    String value();
}
