package dev.broadcaster.internal;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.CDI;
import java.lang.reflect.Method;

/**
 * The network address of the client of the current request, for counting anonymous connections per address.
 * Read from the container's servlet request (the CDI built-in {@code HttpServletRequest} bean of Jakarta EE web
 * containers, Open Liberty and Payara included), looked up by name so the library needs no servlet API; null where
 * there is none (e.g. Jersey on Grizzly). It is the address the connection comes from: behind a reverse proxy that
 * is the proxy's, and an application that trusts a forwarded address passes it with
 * {@link dev.broadcaster.ConnectOptions#withClientAddress}.
 */
final class ClientAddresses {

    private static final System.Logger LOG = System.getLogger(ClientAddresses.class.getName());
    private static final Class<?> SERVLET_REQUEST = servletRequestType();
    private static final Method REMOTE_ADDR = remoteAddr();

    private ClientAddresses() {
    }

    /** The current request's client address, or null if the container does not tell. Call on the request thread. */
    static String current() {
        if (REMOTE_ADDR == null) {
            return null;
        }
        try {
            Instance<?> request = CDI.current().select(SERVLET_REQUEST);
            if (!request.isResolvable()) {
                return null;
            }
            Object address = REMOTE_ADDR.invoke(request.get());
            return address instanceof String text && !text.isEmpty() ? text : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "No client address from the servlet request: " + e);
            return null;
        }
    }

    private static Class<?> servletRequestType() {
        try {
            return Class.forName("jakarta.servlet.http.HttpServletRequest", false,
                    ClientAddresses.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static Method remoteAddr() {
        try {
            return SERVLET_REQUEST == null ? null : SERVLET_REQUEST.getMethod("getRemoteAddr");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
