package dev.broadcaster.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a static field of an {@link InProcessServer} test class that receives the server's CDI bean of the
 * field's type ({@code server.bean(type)}) once the server started.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface ServerBean {
}
