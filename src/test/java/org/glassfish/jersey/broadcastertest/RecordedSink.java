package org.glassfish.jersey.broadcastertest;

import dev.broadcaster.internal.HandedEventsSink;

/** A sink the library takes for Jersey's, by its package: records what it is handed. */
public final class RecordedSink extends HandedEventsSink {
}
