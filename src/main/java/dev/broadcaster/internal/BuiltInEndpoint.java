package dev.broadcaster.internal;

import jakarta.inject.Inject;

/**
 * What the built-in endpoints ({@link BroadcasterEndpoints}, {@link StreamEndpoints}) share: the registry and the
 * settings. They are application-scoped, one instance for every call: what a call needs of its request comes as an
 * {@link EndpointRequest} parameter, never from a field.
 */
abstract class BuiltInEndpoint {

    @Inject
    DefaultChannelRegistry registry;

    @Inject
    BroadcasterSettings settings;
}
