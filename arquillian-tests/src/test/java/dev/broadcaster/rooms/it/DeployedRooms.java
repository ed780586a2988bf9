package dev.broadcaster.rooms.it;

import dev.broadcaster.rooms.it.support.Server;
import java.net.URI;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What most app-server tests share: the example's WAR deployed once per class by Arquillian (unchanged, as Maven
 * packaged it), its base URL, and paths resolved against it. Tests that deploy and undeploy themselves
 * ({@code RedeployIT}, {@code ServerStopIT}) declare their own deployment.
 */
@ExtendWith(ArquillianExtension.class)
abstract class DeployedRooms {

    @Deployment(testable = false)
    static WebArchive rooms() {
        return Server.war();
    }

    @ArquillianResource
    URL base;

    /** {@code path} (relative, e.g. {@code sse/channels/lobby}) on the deployed example. */
    URI uri(String path) {
        return Server.resolve(base, path);
    }
}
