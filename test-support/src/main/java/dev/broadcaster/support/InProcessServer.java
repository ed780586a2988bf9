package dev.broadcaster.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts one {@link TestServer} before the annotated test class's tests and closes it after them. The
 * server is put in the class's static fields of type {@link TestServer}, and its CDI beans in the static
 * fields marked {@link ServerBean}, before the class's own {@code @BeforeAll} methods run; a test method or
 * constructor may also take it as a {@link TestServer} parameter.
 *
 * <pre>
 * &#64;InProcessServer(config = "broadcaster.queue-size=1000", beans = PresenceRecorder.class)
 * class DeliveryTest {
 *     static TestServer server;
 *     &#64;ServerBean static ChannelRegistry registry;
 * }</pre>
 *
 * <p>JVM system properties named {@code broadcaster.*} override {@link #config} (see {@link TestServer}).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(InProcessServerExtension.class)
public @interface InProcessServer {

    /** {@code broadcaster.*} settings, each {@code "key=value"}. */
    String[] config() default {};

    /** Extra CDI bean classes of the test application. */
    Class<?>[] beans() default {};

    /** Extra JAX-RS resources of the test application. */
    Class<?>[] resources() default {};
}
