package dev.broadcaster.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * A test of behaviour that is single-node by design (e.g. the id format {@code <epoch>-<n>}), so it does not run
 * when the suite runs clustered ({@code broadcaster.cluster.engine} set as a system property: Surefire's
 * {@code clustered} execution).
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@DisabledIfSystemProperty(named = "broadcaster.cluster.engine", matches = ".+",
        disabledReason = "single-node behaviour: see @SingleNode on the test")
public @interface SingleNode {

    /** Why the behaviour is single-node. */
    String value();
}
