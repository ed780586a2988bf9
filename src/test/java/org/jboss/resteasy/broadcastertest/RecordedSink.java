package org.jboss.resteasy.broadcastertest;

import dev.broadcaster.internal.HandedEventsSink;

/** A sink the library takes for RESTEasy's, by its package: records what it is handed. */
public final class RecordedSink extends HandedEventsSink {
}
