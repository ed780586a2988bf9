package dev.broadcaster.internal;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

/** Serialises application objects to JSON with one shared, thread-safe JSON-B instance. */
public final class JsonText {

    private JsonText() {
    }

    private static final class Holder {
        static final Jsonb JSONB = JsonbBuilder.create();
    }

    /** The JSON text of {@code value} (a map, record, list, string, number, boolean or null). */
    public static String of(Object value) {
        return Holder.JSONB.toJson(value);
    }
}
