package dev.broadcaster.internal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/** Makes the validated {@link BroadcasterSettings} injectable. */
@ApplicationScoped
public class SettingsProducer {

    @Produces
    @Singleton
    BroadcasterSettings settings() {
        return BroadcasterConfig.read(ConfigProvider.getConfig());
    }
}
