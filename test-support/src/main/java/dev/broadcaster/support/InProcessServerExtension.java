package dev.broadcaster.support;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link InProcessServer}: starts the server before all tests of the class,
 * injects it, and closes it after all of them (also when a test or a {@code @BeforeAll} method failed). The
 * server is kept in the class's extension store, so each class gets its own.
 */
public final class InProcessServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(InProcessServerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        Class<?> testClass = context.getRequiredTestClass();
        InProcessServer settings = AnnotationSupport.findAnnotation(testClass, InProcessServer.class)
                .orElseThrow(() -> new ExtensionConfigurationException(testClass + " lacks @InProcessServer"));
        TestServer.Builder builder = TestServer.builder().beans(settings.beans()).resources(settings.resources());
        for (String setting : settings.config()) {
            int equals = setting.indexOf('=');
            if (equals <= 0) {
                throw new ExtensionConfigurationException("@InProcessServer config '" + setting + "' is not key=value");
            }
            builder.config(setting.substring(0, equals).trim(), setting.substring(equals + 1).trim());
        }
        TestServer server = builder.start();
        context.getStore(NAMESPACE).put(TestServer.class, (ExtensionContext.Store.CloseableResource) server::close);
        context.getStore(NAMESPACE).put(Key.SERVER, server);
        for (Class<?> type = testClass; type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                if (field.getType() == TestServer.class) {
                    field.setAccessible(true);
                    field.set(null, server);
                } else if (field.isAnnotationPresent(ServerBean.class)) {
                    field.setAccessible(true);
                    field.set(null, server.bean(field.getType()));
                }
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // closing the store's resource closes the server; done here so it happens before the next class starts
        ExtensionContext.Store.CloseableResource closer =
                context.getStore(NAMESPACE).remove(TestServer.class, ExtensionContext.Store.CloseableResource.class);
        context.getStore(NAMESPACE).remove(Key.SERVER);
        if (closer != null) {
            try {
                closer.close();
            } catch (Throwable e) {
                throw new IllegalStateException("closing the test server", e);
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            TestServer server = c.getStore(NAMESPACE).get(Key.SERVER, TestServer.class);
            if (server != null) {
                return server;
            }
        }
        throw new ExtensionConfigurationException("no in-process server started for " + context.getDisplayName());
    }

    private enum Key { SERVER }
}
